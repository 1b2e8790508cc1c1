import { describe, expect, it } from 'vitest';
import { PublishPlanInput, PublishStart } from '../../../../src-main/contract/publish';
import {
  cardProblem,
  changeCount,
  formProblem,
  planInput,
  publishInput,
  suggestName,
  type PublishForm,
} from '../../../../src-renderer/pages/publish/publish-form';

const form = (patch: Partial<PublishForm> = {}): PublishForm => ({
  item: null,
  paths: ['/home/me/out/my-lora'],
  namespace: 'me',
  name: 'my-lora',
  repoType: 'model',
  isPrivate: true,
  license: '',
  revision: 'main',
  createPr: false,
  pathInRepo: '',
  include: '',
  exclude: '',
  ...patch,
});

describe('publish form', () => {
  it('becomes a plan request the contract accepts, globs split on spaces and commas', () => {
    const input = planInput(form({ include: '*.safetensors, *.json', exclude: 'logs/*  *.tmp', revision: ' ', pathInRepo: ' adapters/v1 ' }));
    expect(PublishPlanInput.parse(input).target).toMatchObject({
      repo: 'me/my-lora',
      revision: 'main',
      pathInRepo: 'adapters/v1',
      include: ['*.safetensors', '*.json'],
      exclude: ['logs/*', '*.tmp'],
      private: true,
    });
  });

  it('says what is missing before a review is possible, with the Hub’s name rules', () => {
    expect(formProblem(form({ paths: [] }))).toMatch(/Add the files/);
    expect(formProblem(form({ namespace: '' }))).toMatch(/sign in/);
    expect(formProblem(form({ name: 'bad--name' }))).toMatch(/--/);
    expect(formProblem(form({ name: 'x.git' }))).toMatch(/\.git/);
    expect(formProblem(form({ name: '-x' }))).toMatch(/start and end/);
    expect(formProblem(form())).toBeNull();
  });

  it('suggests a name the Hub accepts from a file or folder', () => {
    expect(suggestName('/home/me/My LoRA (v2)/')).toBe('My-LoRA-v2');
    expect(suggestName('C:\\models\\tiny--Q4_K_M.gguf')).toBe('tiny-Q4_K_M');
    expect(suggestName('...')).toBe('');
  });

  it('checks the card’s metadata as YAML before anything is sent', () => {
    expect(cardProblem('# just text')).toBeNull();
    expect(cardProblem('---\nlicense: mit\n---\n# ok')).toBeNull();
    expect(cardProblem('---\nlicense: mit\n# never closed')).toMatch(/not closed/);
    expect(cardProblem('---\nlicense: [mit\n---\n')).toMatch(/not valid YAML/);
    expect(cardProblem('---\n- a\n- b\n---\n')).toMatch(/key: value/);
    expect(cardProblem('---\nbase_model: 42\n---\n')).toMatch(/base_model/);
  });

  it('commits the reviewed plan: the card only when the plan needs one and it is not emptied, the head it compared against', () => {
    const commit = { message: 'First', description: '', card: '---\nlicense: mit\n---\n# Tiny' };
    const sent = PublishStart.parse(publishInput(form(), { needsCard: true, parentCommit: 'a'.repeat(40) }, commit));
    expect(sent).toMatchObject({ message: 'First', card: commit.card, parentCommit: 'a'.repeat(40), target: { repo: 'me/my-lora' } });
    const plain = publishInput(form(), { needsCard: false, parentCommit: null }, commit);
    expect(plain).not.toHaveProperty('card');
    expect(plain).not.toHaveProperty('parentCommit');
    expect(publishInput(form(), { needsCard: true, parentCommit: null }, { ...commit, card: '  ' })).not.toHaveProperty('card');
  });

  it('counts what a commit changes: added and replaced files, and a card that is sent', () => {
    const totals = { files: 3, bytes: 30, add: 1, replace: 1, unchanged: 1, bytesToSend: 20 };
    expect(changeCount({ needsCard: false, totals }, '# card')).toBe(2);
    expect(changeCount({ needsCard: true, totals }, '# card')).toBe(3);
    expect(changeCount({ needsCard: true, totals: { ...totals, add: 0, replace: 0 } }, ' ')).toBe(0);
  });
});
