import { expect } from 'chai';
import { closestName, didYouMean, editDistance } from '../../core/suggest.js';
import { unknownName } from '../../core/errors.js';

describe('did you mean', () => {
  it('measures edits, a swap of neighbours counting as one', () => {
    expect(editDistance('ewc', 'ewc')).to.equal(0);
    expect(editDistance('ewk', 'ewc')).to.equal(1);
    expect(editDistance('lamda', 'lambda')).to.equal(1);
    expect(editDistance('naiev', 'naive')).to.equal(1);
    expect(editDistance('', 'abc')).to.equal(3);
    expect(editDistance('kitten', 'sitting')).to.equal(3);
  });

  it('suggests the closest known name only when it is close enough to be a typo', () => {
    const learners = ['naive', 'joint', 'ewc', 'online-ewc', 'si', 'mas', 'l2', 'lwf', 'replay', 'agem', 'gem', 'derpp', 'er-ace', 'slca'];
    expect(closestName('ewk', learners)).to.equal('ewc');
    expect(closestName('onlineewc', learners)).to.equal('online-ewc');
    expect(closestName('ER_ACE', learners)).to.equal('er-ace');
    expect(closestName('replya', learners)).to.equal('replay');
    expect(closestName('transformer', learners)).to.equal(null);
    expect(closestName('cifar10', ['mnist', 'mnist-full', 'fashion-mnist'])).to.equal(null);
    expect(didYouMean('fashion_mnist', ['mnist', 'fashion-mnist'])).to.equal(" (did you mean 'fashion-mnist'?)");
    expect(didYouMean('xyz', ['mnist'])).to.equal('');
  });

  it('puts the suggestion into the unknown-name error and keeps the list of names in the fix', () => {
    const error = unknownName('learner', 'ewk', ['naive', 'ewc'], 'suite.json: learners[0].name');
    expect(error.message).to.equal("unknown learner 'ewk' (did you mean 'ewc'?)");
    expect(error.fix).to.equal('use one of: naive, ewc');
  });
});
