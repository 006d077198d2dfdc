// The server's stdout and stderr, line by line, into <dataDir>/logs/server.log, rotated at a size
// (server.log.1 is the newest old file, server.log.K the oldest kept). Writes are synchronous so a
// line is on disk before the next one is taken: the last lines before a crash are never lost.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LogOptions {
  maxBytes: number;
  keep: number;
}

export const defaultLogOptions: LogOptions = { maxBytes: 5 * 1024 * 1024, keep: 5 };

export class RotatingLog {
  readonly file: string;
  private fd: number | null = null;
  private size = 0;

  constructor(
    readonly dir: string,
    readonly options: LogOptions = defaultLogOptions,
  ) {
    this.file = join(dir, 'server.log');
  }

  /** Never throws: a log that cannot be written (data folder gone, disk full) must not stop the supervisor. */
  write(line: string): void {
    try {
      if (this.fd === null) this.open();
      const data = Buffer.from(`${line}\n`);
      if (this.size > 0 && this.size + data.length > this.options.maxBytes) {
        this.rotate();
        this.open();
      }
      writeSync(this.fd!, data);
      this.size += data.length;
    } catch {
      this.close();
    }
  }

  close(): void {
    const fd = this.fd;
    this.fd = null;
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // Already gone with its disk.
      }
    }
  }

  /** The newest `lines` lines, reading older files only when the current one has too few. */
  async tail(lines: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i <= this.options.keep && out.length < lines; i++) {
      const file = i === 0 ? this.file : `${this.file}.${i}`;
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        break;
      }
      const fileLines = text.split('\n');
      if (fileLines[fileLines.length - 1] === '') fileLines.pop();
      out.unshift(...fileLines.slice(Math.max(0, fileLines.length - (lines - out.length))));
    }
    return out;
  }

  private open(): void {
    // Only the logs folder itself is made: a missing data folder is not recreated behind the user's back.
    if (!existsSync(this.dir)) mkdirSync(this.dir);
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    rmSync(`${this.file}.${this.options.keep}`, { force: true });
    for (let i = this.options.keep - 1; i >= 1; i--) {
      if (existsSync(`${this.file}.${i}`)) renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
    }
    if (this.options.keep > 0) renameSync(this.file, `${this.file}.1`);
    else rmSync(this.file, { force: true });
  }
}
