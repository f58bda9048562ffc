import { lazy } from 'react';

/** The chart component, in its own chunk: recharts is the heaviest dependency of the page. */
export const TimeSeriesChart = lazy(() => import('./TimeSeriesChart.tsx'));
