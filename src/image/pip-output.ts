import type { Logger } from '../logger.js';

/**
 * pip's output as progress: what it collects, downloads and installs at info, the rest at debug; the
 * first sign of resolver backtracking (which can go on silently for half an hour) as one warning.
 */
export class PipProgress {
  private partial = '';
  private readonly recent: string[] = [];
  /** Packages pip went back over, in the order it said so. */
  readonly backtracked: string[] = [];
  private warned = false;

  constructor(
    private readonly log: Logger,
    private readonly airflowVersion: string,
    private readonly fileName = 'requirements.txt',
  ) {}

  push(chunk: Buffer): void {
    const lines = (this.partial + chunk.toString('utf8')).split(/\r?\n|\r/);
    this.partial = lines.pop() ?? '';
    lines.forEach((l) => this.line(l));
  }

  /** The end of the output (pip's error is there). */
  tail(count = 12): string {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    return this.recent.slice(-count).join('\n');
  }

  private line(raw: string): void {
    const text = raw.replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
    if (!text.trim()) return;
    this.recent.push(text);
    if (this.recent.length > 40) this.recent.shift();
    const looking = /pip is looking at multiple versions of (\S+)/.exec(text);
    if (looking && !this.backtracked.includes(looking[1]!)) this.backtracked.push(looking[1]!);
    if (looking || PROGRESS.test(text.trim())) this.log.info(`pip: ${text.trim()}`);
    else this.log.debug(`pip: ${text}`);
    if (looking || /This is taking longer than usual/.test(text)) this.backtracking();
  }

  private backtracking(): void {
    if (this.warned) return;
    this.warned = true;
    const which = this.backtracked[0] ?? 'a requirement';
    this.log.warn(
      `pip is backtracking: it tries one version of ${which} after another to fit the other requirements, which can take a very long time; pin ${which} in ${this.fileName}, or constrain every package with Airflow's constraints file (-c https://raw.githubusercontent.com/apache/airflow/constraints-${this.airflowVersion}/constraints-<python version>.txt)`,
    );
  }
}

/** Lines that say what pip is doing; "Requirement already satisfied" and the like stay at debug. */
const PROGRESS =
  /^(Collecting|Downloading|Obtaining|Processing|Using cached|Building wheels? for|Created wheel|Installing collected packages|Attempting uninstall|Successfully|Looking in indexes|WARNING|ERROR)/;
