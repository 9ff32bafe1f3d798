/**
 * A fake terminal for the progress bars: a writable stream that says it is a TTY of `columns` columns and
 * keeps a screen, interpreting what cli-progress and Node's readline write (text, \n, \r, cursor up/down/
 * column, erase in line / below, and the save/restore and mode sequences, which it ignores). Like a real
 * terminal it wraps a line that runs past the last column, and it remembers each line that wrapped, so a
 * test sees any line too wide for the terminal.
 */
import { Writable } from 'node:stream';

export class FakeTty extends Writable {
  readonly isTTY = true;
  /** the screen, one string a line */
  lines: string[] = [''];
  row = 0;
  col = 0;
  /** the lines that ran past the last column (as they were when they wrapped) */
  wrapped: string[] = [];

  constructor(readonly columns = 100) {
    super();
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.feed(String(chunk));
    done();
  }

  /** the lines of the screen with text on them, trailing spaces trimmed */
  screen(): string[] {
    return this.lines.map((l) => l.trimEnd()).filter((l) => l.length > 0);
  }

  private feed(text: string): void {
    const csi = /^\x1b\[(\??)([\d;]*)([A-Za-z])/;
    for (let i = 0; i < text.length; ) {
      const rest = text.slice(i);
      if (rest[0] === '\x1b') {
        const m = csi.exec(rest);
        if (m) {
          this.control(m[1], m[2] === '' ? [] : m[2].split(';').map(Number), m[3]);
          i += m[0].length;
        } else i += 2; // ESC 7 / ESC 8 (save/restore cursor and attributes): nothing to keep here
        continue;
      }
      const ch = rest[0];
      i++;
      if (ch === '\n') {
        this.row++;
        this.col = 0;
        while (this.lines.length <= this.row) this.lines.push('');
      } else if (ch === '\r') this.col = 0;
      else this.put(ch);
    }
  }

  private put(ch: string): void {
    if (this.col >= this.columns) {
      this.wrapped.push(this.lines[this.row]);
      this.row++;
      this.col = 0;
      while (this.lines.length <= this.row) this.lines.push('');
    }
    const line = this.lines[this.row].padEnd(this.col);
    this.lines[this.row] = line.slice(0, this.col) + ch + line.slice(this.col + 1);
    this.col++;
  }

  private control(privateMode: string, args: number[], command: string): void {
    if (privateMode) return; // cursor visibility, line wrapping
    const n = args[0] ?? 0;
    switch (command) {
      case 'A':
        this.row = Math.max(0, this.row - Math.max(1, n));
        break;
      case 'B':
        this.row += Math.max(1, n);
        while (this.lines.length <= this.row) this.lines.push('');
        break;
      case 'C':
        this.col += Math.max(1, n);
        break;
      case 'D':
        this.col = Math.max(0, this.col - Math.max(1, n));
        break;
      case 'G':
        this.col = Math.max(0, (n || 1) - 1);
        break;
      case 'K':
        if (n === 0) this.lines[this.row] = this.lines[this.row].slice(0, this.col);
        else if (n === 1) this.lines[this.row] = ' '.repeat(this.col) + this.lines[this.row].slice(this.col);
        else this.lines[this.row] = '';
        break;
      case 'J':
        if (n === 0) {
          this.lines[this.row] = this.lines[this.row].slice(0, this.col);
          this.lines.length = this.row + 1;
        }
        break;
      default:
        break;
    }
  }
}
