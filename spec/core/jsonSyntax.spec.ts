import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../../core/random.js';
import { describePosition, jsonErrorOffset, jsonSyntaxProblem } from '../../core/jsonSyntax.js';
import { REPO_ROOT } from '../helpers/pluginProject.js';

function problemOf(text: string) {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonSyntaxProblem(text, error);
  }
  return expect.fail('expected invalid JSON');
}

describe('JSON syntax errors as line and column', () => {
  it('points at the first character that is not JSON, by line and column', () => {
    const missingComma = '{\n  "name": "x",\n  "seeds": [0]\n  "learners": []\n}\n';
    expect(problemOf(missingComma)).to.deep.include({ line: 4, column: 3, before: '  ' });
    const trailing = '{\n  "seeds": [0, 1,],\n}';
    expect(problemOf(trailing)).to.deep.include({ line: 2, column: 18, before: '  "seeds": [0, 1,' });
    expect(describePosition(problemOf(trailing))).to.equal("line 2, column 18 (after '\"seeds\": [0, 1,')");
    // V8 gives no position for these two: the scan finds it
    const token = '{"a": tru}';
    expect(problemOf(token)).to.deep.include({ line: 1, column: 7 });
    expect(problemOf(token).reason).to.equal("Unexpected token '}'");
    const truncated = '{ "learners": [ { "name": "naive" }\n\n';
    expect(problemOf(truncated)).to.deep.include({ line: 1, column: 36, reason: "Expected ',' or ']' after array element" });
    expect(problemOf('{"a": ')).to.deep.include({ line: 1, column: 6, reason: 'Unexpected end of JSON input' });
    expect(problemOf('{"a": "line\nbreak"}')).to.deep.include({ line: 1, column: 12 });
    expect(problemOf('{"a": "\\x"}')).to.deep.include({ line: 1, column: 8 });
  });

  it('agrees with JSON.parse: valid texts have no error, and where V8 names a position it is the same', () => {
    const suite = readFileSync(path.join(REPO_ROOT, 'suites', 'quick.json'), 'utf8');
    expect(jsonErrorOffset(suite)).to.equal(-1);
    for (const text of ['0', '-1.5e+3', '"\\u00e9"', '[]', '{}', ' [ {"a": [null, true, false]} ] ']) expect(jsonErrorOffset(text), text).to.equal(-1);
    // corrupt the quick suite at random places: delete, duplicate or replace one character
    const rng = new Rng(1, 'json-fuzz');
    let compared = 0;
    for (let k = 0; k < 800; k++) {
      const at = rng.int(suite.length);
      const edits = [suite.slice(0, at) + suite.slice(at + 1), suite.slice(0, at) + suite[at] + suite.slice(at), `${suite.slice(0, at)}${'{}[],:"x0 '[rng.int(10)]}${suite.slice(at + 1)}`];
      const text = edits[rng.int(3)];
      let v8: string | null = null;
      try {
        JSON.parse(text);
      } catch (error) {
        v8 = (error as Error).message;
      }
      if (v8 === null) {
        expect(jsonErrorOffset(text), text).to.equal(-1);
        continue;
      }
      const position = /at position (\d+)/.exec(v8);
      expect(jsonErrorOffset(text), v8).to.be.at.least(0);
      if (position) {
        expect(jsonErrorOffset(text), `${v8}\n${text}`).to.equal(Number(position[1]));
        compared++;
      }
    }
    expect(compared).to.be.greaterThan(100);
  });
});
