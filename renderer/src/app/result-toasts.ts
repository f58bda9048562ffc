/**
 * Toasts for results that finish while the operator may be elsewhere: an unlock
 * ("Unlocked sample-model · 3.0 MiB in 1.3 s") or its failure, and the confirmation
 * of a firewall change (the Machine view keeps its deactivation note in the page). Subscribes to the slices; calls
 * no bridge itself.
 */
import { useEffect } from 'react';
import { firewallStore } from '../features/firewall/firewall.hooks.ts';
import { resourcesStore } from '../features/resources/resources.hooks.ts';
import { formatBytes, formatElapsed } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';

export function useResultToasts(): void {
  useEffect(() => {
    const started = new Map<string, number>();
    const reported = new Set<string>();
    const stops = [
      resourcesStore.subscribe((state, previous) => {
        if (state.progress === previous.progress) return;
        for (const job of Object.values(state.progress)) {
          if (!started.has(job.jobId)) started.set(job.jobId, performance.now());
          if ((job.phase !== 'done' && job.phase !== 'failed') || reported.has(job.jobId)) continue;
          reported.add(job.jobId);
          const name =
            state.resources?.find((resource) => resource.id === job.resourceId)?.name ?? job.resourceId;
          const took = performance.now() - (started.get(job.jobId) ?? performance.now());
          if (job.phase === 'done')
            toast(
              'success',
              `Unlocked ${name} · ${formatBytes(job.totalBytes || job.bytes)} in ${formatElapsed(took)}`,
            );
          else toast('error', `Unlocking ${name} failed; the Resources view says why.`);
        }
      }),
      firewallStore.subscribe((state, previous) => {
        if (state.lastChange && state.lastChange !== previous.lastChange) toast('success', state.lastChange);
      }),
    ];
    return () => stops.forEach((stop) => stop());
  }, []);
}
