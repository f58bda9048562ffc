import { useEffect, useState } from 'react';
import type { ResourceSummary } from '../../../../shared/common/contract/bridge.ts';
import { useBridge } from '../../app/bridge-context.ts';
import { Note } from '../../ui/Banner.tsx';
import { ErrorNote } from '../../ui/ErrorNote.tsx';
import { formatBytes, ProgressBar } from '../../ui/ProgressBar.tsx';
import { resourcesStore, useResources } from './resources.hooks.ts';
import { ExportDialog } from './ExportDialog.tsx';
import { UnlockDialog } from './UnlockDialog.tsx';
import { leaseLeft } from '../../ui/lease-text.ts';

const stateLabel: Record<ResourceSummary['state'], string> = {
  locked: 'locked',
  unlocked: 'in vault',
  offline: 'offline lease',
};

/**
 * Resources: name, version, size and state (locked / in vault / offline lease, with the
 * days the lease has left), unlock with progress (bytes, rate, ETA, cancel), manifest
 * verification and export.
 */
export function ResourcesView() {
  const bridge = useBridge();
  const resources = useResources((state) => state.resources);
  const error = useResources((state) => state.error);
  const progress = useResources((state) => state.progress);
  const verified = useResources((state) => state.verified);
  const [asking, setAsking] = useState<ResourceSummary | null>(null);
  const [exporting, setExporting] = useState<ResourceSummary | null>(null);

  useEffect(() => {
    void resourcesStore.getState().load(bridge);
    return resourcesStore.getState().follow(bridge);
  }, [bridge]);

  return (
    <section aria-labelledby="resources-title">
      <h1 id="resources-title">Resources</h1>
      <ErrorNote error={error} testId="resources-error" />
      {resources ? (
        <table className="data-table" data-testid="resources">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Version</th>
              <th scope="col">Size</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {resources.map((resource) => {
              const job = progress[resource.id];
              const running = job !== undefined && job.phase !== 'done' && job.phase !== 'failed';
              const check = verified[resource.id];
              const lease = leaseLeft(resource.leaseValidUntil);
              const expired = lease?.startsWith('lease expired') === true;
              return (
                <tr key={resource.id}>
                  <th scope="row">{resource.name}</th>
                  <td>{resource.version}</td>
                  <td>{formatBytes(resource.size)}</td>
                  <td>
                    {stateLabel[resource.state]}
                    {lease ? (
                      <span className={expired ? 'lease lease-expired' : 'lease muted'}> · {lease}</span>
                    ) : null}
                  </td>
                  <td>
                    {running ? (
                      <>
                        <ProgressBar
                          label={`Unlocking ${resource.name}: ${job.phase}`}
                          done={job.bytes}
                          total={job.totalBytes || resource.size}
                          bytesPerSecond={job.bytesPerSecond}
                          etaSeconds={job.etaSeconds}
                        />
                        <button
                          type="button"
                          className="button"
                          onClick={() => void resourcesStore.getState().cancel(bridge, job.jobId)}
                        >
                          Cancel
                        </button>
                      </>
                    ) : (
                      <button
                        type="button"
                        className="button button-primary"
                        onClick={() => setAsking(resource)}
                      >
                        Unlock
                      </button>
                    )}{' '}
                    <button
                      type="button"
                      className="button"
                      onClick={() => void resourcesStore.getState().verify(bridge, resource.id)}
                    >
                      Verify manifest
                    </button>
                    {resource.state !== 'locked' ? (
                      <>
                        {' '}
                        <button
                          type="button"
                          className="button"
                          aria-label={`Export ${resource.name}`}
                          onClick={() => {
                            resourcesStore.getState().clearExport(resource.id);
                            setExporting(resource);
                          }}
                        >
                          Export
                        </button>
                      </>
                    ) : null}
                    {job?.phase === 'failed' ? <span className="badge badge-bad">unlock failed</span> : null}
                    {job?.phase === 'done' ? <span className="badge badge-ok">unlocked</span> : null}
                    {check ? (
                      <span className={check.valid ? 'badge badge-ok' : 'badge badge-bad'}>
                        {check.valid ? 'manifest valid' : 'manifest INVALID: do not use'}
                      </span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {resources?.length === 0 ? <Note tone="info">No resources are published for this account.</Note> : null}
      {asking ? (
        <UnlockDialog
          name={asking.name}
          onCancel={() => setAsking(null)}
          onUnlock={(password) => {
            const target = asking;
            setAsking(null);
            void resourcesStore.getState().unlock(bridge, target.id, password);
          }}
        />
      ) : null}
      {exporting ? (
        <ExportDialog resourceId={exporting.id} name={exporting.name} onClose={() => setExporting(null)} />
      ) : null}
    </section>
  );
}
