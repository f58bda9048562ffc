import type { FactoryStatus } from '../../../../shared/common/contract/bridge.ts';

/** What each mode means for the operator, in one or two sentences. */
export function modeExplanation(status: FactoryStatus): string[] {
  const lines: string[] = [];
  if (status.mode === 'demo') {
    lines.push(
      'Demo mode: throw-away data and demo keys. Do not put real resources or passwords here; use a production server for that.',
    );
  }
  if (status.publicDemo) {
    lines.push(
      'Public demo (read-only): changes are refused with demo_read_only — adding users, API keys, firewall rules and publishing resources. Signing in, reading, and activating this machine to unlock the sample work.',
    );
  }
  if (status.mode === 'development')
    lines.push('Development mode: security checks are relaxed; not for real use.');
  if (status.debug)
    lines.push('DEBUG is on: the server logs more than it should in production. Turn it off.');
  if (status.mode === 'production' && !status.debug) lines.push('Production mode.');
  return lines;
}
