import { Suspense, useState } from 'react';
import { ModeBanner } from '../features/status/ModeBanner.tsx';
import { useSettingsAtStart } from '../features/settings/settings.hooks.ts';
import '../ui/ui.css';
import { views } from './views.ts';

/** The shell: a nav built from the view registry and the selected view. */
export function App({ shell }: { shell: 'electron' | 'browser' }) {
  const [current, setCurrent] = useState(views[0]?.id ?? '');
  const view = views.find((candidate) => candidate.id === current) ?? views[0];
  const View = view?.component;
  useSettingsAtStart();
  return (
    <div className="shell">
      <nav aria-label="Console">
        <div className="brand">
          Factory Console{' '}
          <span className="shell-kind">{shell === 'browser' ? 'browser mode' : 'desktop'}</span>
        </div>
        <ul>
          {views.map((candidate) => (
            <li key={candidate.id}>
              <button
                type="button"
                aria-current={candidate.id === view?.id ? 'page' : undefined}
                onClick={() => setCurrent(candidate.id)}
              >
                {candidate.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main data-view={view?.id}>
        <ModeBanner />
        <Suspense fallback={<p className="muted">Loading…</p>}>{View ? <View /> : null}</Suspense>
      </main>
    </div>
  );
}
