/**
 * Maps the core's typed failures to one-line CLI errors (exit 1; 3 for refusals an
 * operator must act on: hardware, lease, clock, certificate, seat limit, tampered records).
 */
import { ErrorCode } from '../../../../shared/common/errors.ts';
import { isIntegrityError } from '../../../../shared/node/crypto/errors.ts';
import { ConsoleError } from '../../platform/console-error.ts';
import { CliError } from './command.ts';

const REFUSALS = new Set<string>([
  ErrorCode.HardwareMismatch,
  ErrorCode.LeaseExpired,
  ErrorCode.ClockSetBack,
  ErrorCode.CertificateMismatch,
  ErrorCode.SeatLimit,
  ErrorCode.IntegrityFailed,
  ErrorCode.Tampered,
  ErrorCode.SealMissing,
  ErrorCode.WrongPassword,
  ErrorCode.NotActivated,
  ErrorCode.Forbidden,
]);

/** Runs `body`, turning known failures into CliErrors with `code: message`. */
export async function withCliErrors<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (isIntegrityError(error)) {
      throw new CliError(`${ErrorCode.IntegrityFailed}: ${error.message} Nothing was written.`, 3);
    }
    const code = (error as { code?: unknown }).code;
    if (
      error instanceof ConsoleError ||
      (error instanceof Error && typeof code === 'string' && code in reverse)
    ) {
      throw new CliError(`${String(code)}: ${(error as Error).message}`, REFUSALS.has(String(code)) ? 3 : 1);
    }
    throw error;
  }
}

const reverse: Record<string, true> = Object.fromEntries(
  Object.values(ErrorCode).map((code) => [code, true]),
);
