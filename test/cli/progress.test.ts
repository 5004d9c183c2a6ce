import test from 'ava';

import { BufferStream, type OutputStream } from '../../lib/cli/io';
import { ProgressBar } from '../../lib/cli/progress';

class TerminalStream implements OutputStream {
  text = '';
  readonly isTTY = true;

  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

test('on a terminal the bar is redrawn in place and ends with a newline', (t) => {
  const stream = new TerminalStream();
  const bar = new ProgressBar(stream, 'encrypted', 10, 'lookups');
  bar.update(0);
  bar.update(10);
  bar.finish();
  bar.finish();
  const frames = stream.text.split('\r').filter((frame) => frame !== '');
  t.regex(frames[0], /^encrypted\s+\[\.{28}\] 0\/10 lookups \d+\.\ds$/);
  t.regex(frames.at(-1) as string, /^encrypted\s+\[#{28}\] 10\/10 lookups \d+\.\ds\n$/);
  t.is(stream.text.split('\n').length, 2, 'one newline, at the end');
});

test('into a file or pipe only the final line is written', (t) => {
  const stream = new BufferStream();
  const bar = new ProgressBar(stream, 'keygen', 1);
  bar.update(0);
  bar.finish();
  t.regex(stream.text, /^keygen\s+\[#{28}\] 1\/1 \d+\.\ds\n$/);
});

test('redraws are throttled', (t) => {
  const stream = new TerminalStream();
  const bar = new ProgressBar(stream, 'x', 1000);
  for (let i = 0; i < 1000; i++) bar.update(i);
  t.true(stream.text.split('\r').length < 20);
});

test('a bar stopped by an error ends its line; around() finishes or stops it', async (t) => {
  const stream = new TerminalStream();
  const bar = new ProgressBar(stream, 'compile', 5);
  bar.update(1);
  await t.throwsAsync(bar.around(async () => { throw new Error('no parameters'); }), { message: 'no parameters' });
  t.true(stream.text.endsWith('\n'));
  t.notRegex(stream.text, /5\/5/, 'not drawn as complete');
  const done = new TerminalStream();
  t.is(await new ProgressBar(done, 'keygen', 1).around(async () => 42), 42);
  t.regex(done.text, /1\/1 \d+\.\ds\n$/);
});
