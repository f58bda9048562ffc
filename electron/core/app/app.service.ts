import type { AppInfo } from '../../../shared/common/contract/bridge.ts';
import type { ExternalUrlInput, SavePathInput } from '../../../shared/common/contract/inputs.ts';
import { ConsoleError } from '../platform/console-error.ts';
import { isAllowedExternalUrl } from '../platform/navigation-policy.ts';
import type { FactoryConnection } from '../factory-api/factory-connection.ts';
import type { DomainHandlers } from '../ipc/handlers.ts';

export interface AppServiceOptions {
  name: string;
  version: string;
  shell: 'electron' | 'browser';
  connection: FactoryConnection;
  /** Opens a URL in the system browser (Electron's shell.openExternal); absent in browser mode. */
  openExternal?: (url: string) => Promise<void>;
  /** Hosts that may be opened externally (https only). */
  externalHosts: readonly string[];
  /** The native save dialog (Electron's dialog.showSaveDialog); absent in browser mode. Null: cancelled. */
  chooseSavePath?: (input: SavePathInput) => Promise<string | null>;
}

/** About the console itself, and the one door to the outside world: opening an allowed link. */
export class AppService implements DomainHandlers<'app'> {
  readonly #options: AppServiceOptions;
  constructor(options: AppServiceOptions) {
    this.#options = options;
  }

  async info(): Promise<AppInfo> {
    return {
      name: this.#options.name,
      version: this.#options.version,
      shell: this.#options.shell,
      embeddedAdminEmail: this.#options.connection.info.adminEmail,
    };
  }

  async openExternal(input: ExternalUrlInput): Promise<{ opened: boolean }> {
    // Renderer input: only https links to allow-listed hosts leave the app (no file:, no custom schemes).
    if (!isAllowedExternalUrl(input.url, this.#options.externalHosts)) {
      throw new ConsoleError('forbidden', 'This link may not be opened from the console.');
    }
    if (!this.#options.openExternal) return { opened: false };
    await this.#options.openExternal(input.url);
    return { opened: true };
  }

  async chooseSavePath(input: SavePathInput): Promise<{ path: string | null }> {
    if (!this.#options.chooseSavePath)
      throw new ConsoleError(
        'unavailable',
        'Browser mode has no save dialog: type an absolute path instead.',
      );
    return { path: await this.#options.chooseSavePath(input) };
  }
}
