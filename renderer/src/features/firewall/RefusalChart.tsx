import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RefusalSample } from '../../../../shared/common/contract/bridge.ts';

function clock(iso: string): string {
  return iso.slice(11, 19);
}

/** 401 and 429 responses per sampling interval, as the console sampled `/metrics`. */
export function RefusalChart({ samples }: { samples: RefusalSample[] }) {
  if (samples.length === 0) {
    return (
      <p className="muted" data-testid="refusal-chart-empty">
        Sampling the server&apos;s 401 / 429 counters every few seconds; the chart fills in shortly.
      </p>
    );
  }
  return (
    <div data-testid="refusal-chart" style={{ width: '100%', height: 220 }}>
      <ResponsiveContainer>
        <LineChart data={samples} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="at" tickFormatter={clock} minTickGap={24} />
          <YAxis allowDecimals={false} />
          <Tooltip labelFormatter={(label) => `${clock(String(label))} UTC`} />
          <Legend />
          <Line
            type="monotone"
            dataKey="unauthorized"
            name="401 unauthorized"
            stroke="#c0392b"
            isAnimationActive={false}
          />
          <Line
            type="monotone"
            dataKey="rateLimited"
            name="429 rate limited"
            stroke="#d68910"
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
