import { Text } from '@mantine/core';
import { Suspense } from 'react';
import type { RefusalSample } from '../../../../shared/common/contract/bridge.ts';
import { TimeSeriesChart } from '../../ui/charts.ts';
import { formatCount } from '../../ui/format.ts';

/** 401 and 429 responses per sampling interval, as the console sampled `/metrics`. */
export function RefusalChart({ samples }: { samples: RefusalSample[] }) {
  if (samples.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="refusal-chart-empty">
        Sampling the server&apos;s 401 / 429 counters every few seconds; the chart fills in shortly.
      </Text>
    );
  }
  const unauthorized = samples.reduce((sum, sample) => sum + sample.unauthorized, 0);
  const limited = samples.reduce((sum, sample) => sum + sample.rateLimited, 0);
  return (
    <Suspense fallback={<Text size="sm">Loading the chart…</Text>}>
      <TimeSeriesChart
        testId="refusal-chart"
        data={samples.map((sample) => ({ ...sample }))}
        series={[
          { key: 'unauthorized', name: '401 unauthorized', colour: 'var(--console-bad)' },
          { key: 'rateLimited', name: '429 rate limited', colour: 'var(--console-warn)' },
        ]}
        summary={`${formatCount(unauthorized)} unauthorized (401) and ${formatCount(limited)} rate-limited (429) responses in the sampled minutes`}
        height={220}
      />
    </Suspense>
  );
}
