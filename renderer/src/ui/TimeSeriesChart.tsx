/**
 * A small line chart of counts over time (recharts), themed from the page's CSS
 * variables. Loaded on demand (charts.ts), so the first view does not wait for it.
 * The chart is one image to assistive technology, named by its summary; the numbers
 * themselves are in the caption the caller writes.
 */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatClock, formatUtc } from './format.ts';

export interface Series {
  key: string;
  name: string;
  /** A CSS colour, e.g. `var(--console-bad)`. */
  colour: string;
}

export interface TimeSeriesChartProps {
  data: readonly ({ at: string } & Record<string, number | string>)[];
  series: readonly Series[];
  /** What the chart shows, in words (its accessible name). */
  summary: string;
  height?: number;
  testId?: string;
}

export default function TimeSeriesChart({
  data,
  series,
  summary,
  height = 180,
  testId,
}: TimeSeriesChartProps) {
  const tick = { fill: 'var(--mantine-color-dimmed)', fontSize: 11 };
  return (
    <div role="img" aria-label={summary} data-testid={testId} style={{ width: '100%', height }}>
      <ResponsiveContainer>
        <LineChart
          data={[...data]}
          margin={{ top: 6, right: 12, bottom: 0, left: -18 }}
          accessibilityLayer={false}
        >
          <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-default-border)" />
          <XAxis
            dataKey="at"
            tickFormatter={(value: string) => formatClock(value).slice(0, 5)}
            minTickGap={28}
            tick={tick}
          />
          <YAxis allowDecimals={false} tick={tick} width={44} />
          <Tooltip
            labelFormatter={(label) => formatUtc(String(label))}
            contentStyle={{
              background: 'var(--mantine-color-body)',
              borderColor: 'var(--mantine-color-default-border)',
              fontSize: 12,
            }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {series.map((line) => (
            <Line
              key={line.key}
              type="monotone"
              dataKey={line.key}
              name={line.name}
              stroke={line.colour}
              dot={false}
              strokeWidth={2}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
