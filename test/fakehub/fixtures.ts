/** Deterministic catalogue used by tests and by `npm run fakehub`. */
import fs from 'node:fs';
import { bufferContent, seededContent, textContent } from './content';
import { cachedLlamaModel, HUGE_70B } from '../fixtures/llama-model';
import { buildRepo, type FakeRepo, type FakeToken } from './model';

export const TOKENS: Record<string, FakeToken> = {
  hf_alice_read_token_0000000000000000: { user: 'alice', displayName: 'laptop', role: 'read' },
  hf_bob_write_token_00000000000000000: { user: 'bob', displayName: 'ci', role: 'write', orgs: ['acme'] },
  hf_carol_finegrained_000000000000000: {
    user: 'carol',
    displayName: 'scoped',
    role: 'fineGrained',
    fineGrained: {
      canReadGatedRepos: false,
      global: ['discussion.write'],
      scoped: [{ entity: { _id: 'x', type: 'user', name: 'carol' }, permissions: ['repo.content.read'] }],
    },
  },
  // Fine-grained with write access to its own namespace only (not to the org it belongs to).
  hf_dave_finegrained_write_0000000000: {
    user: 'dave',
    displayName: 'publish-only',
    role: 'fineGrained',
    orgs: ['acme'],
    fineGrained: {
      canReadGatedRepos: false,
      global: [],
      scoped: [{ entity: { _id: 'y', type: 'user', name: 'dave' }, permissions: ['repo.content.read', 'repo.write'] }],
    },
  },
};

export const MiB = 1 << 20;

export function tinyLlm(): FakeRepo {
  return buildRepo({
    id: 'acme/tiny-llm',
    downloads: 1200,
    likes: 42,
    tags: ['gguf', 'text-generation', 'llama'],
    pipelineTag: 'text-generation',
    libraryName: 'gguf',
    gguf: { total: 1_100_000, architecture: 'llama', context_length: 2048 },
    commits: [
      {
        title: 'Initial upload',
        files: {
          'config.json': '{"model_type":"llama","v":1}',
          'README.md': '# tiny-llm\n\nA tiny test model.\n',
          'tiny-llm-Q4_K_M.gguf': seededContent('q4', 3 * MiB + 123),
          'tiny-llm-Q8_0.gguf': seededContent('q8', 5 * MiB + 7),
          'sub/dir/tokenizer.json': '{"tokens":[]}',
        },
      },
      { title: 'Update config', files: { 'config.json': '{"model_type":"llama","v":2}' } },
    ],
    refs: { 'v1.0': 0 },
  });
}

export function gatedRepo(): FakeRepo {
  return buildRepo({
    id: 'acme/gated-llm',
    gated: 'manual',
    tags: ['gguf'],
    // The card is behind the gate too, as on the Hub (huggingface_hub#1579).
    commits: [
      { files: { 'README.md': '# Gated LLM\n\nAccept the licence first.\n', 'config.json': '{"gated":true}', 'model.gguf': seededContent('gated', 1 * MiB) } },
    ],
  });
}

export function privateRepo(): FakeRepo {
  return buildRepo({ id: 'alice/secret-llm', private: true, commits: [{ files: { 'config.json': '{}' } }] });
}

export function bigRepo(size: number): FakeRepo {
  return buildRepo({ id: 'acme/big', commits: [{ files: { 'big.gguf': seededContent('big', size) } }] });
}

export function catalogue(count: number): FakeRepo[] {
  const out: FakeRepo[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      buildRepo({
        id: `org${i % 17}/model-${String(i).padStart(4, '0')}`,
        downloads: (i * 7919) % 100_000,
        likes: (i * 104_729) % 5000,
        trendingScore: (i * 31) % 977,
        tags: i % 3 === 0 ? ['gguf', 'text-generation'] : ['safetensors', 'text-generation'],
        pipelineTag: i % 5 === 0 ? 'text-to-image' : 'text-generation',
        ...(i % 3 === 0 ? { gguf: { total: 1_000_000 * (i + 1), architecture: 'llama', context_length: 4096 } } : {}),
        gated: i % 11 === 0 ? 'auto' : false,
        createdAt: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(),
        commits: [{ files: { 'README.md': textContent(`# model ${i}\n`) } }],
      }),
    );
  }
  return out;
}

/** Split GGUF parts, a vision projector, and a model card that tries everything a card must not do. */
export function splitLlm(): FakeRepo {
  return buildRepo({
    id: 'acme/split-llm',
    tags: ['gguf'],
    downloads: 10,
    commits: [
      {
        files: {
          'README.md': [
            '---',
            'license: apache-2.0',
            '---',
            '# Split LLM',
            '',
            'A **test** model. <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">',
            '',
            '[safe link](https://huggingface.co/acme/split-llm) and [bad link](javascript:window.__pwned=3)',
            '',
            '![tracker](https://evil.example/pixel.png)',
          ].join('\n'),
          'split-llm-Q4_K_M-00001-of-00002.gguf': seededContent('s1', 1 * MiB),
          'split-llm-Q4_K_M-00002-of-00002.gguf': seededContent('s2', 1 * MiB),
          'split-llm-Q8_0.gguf': seededContent('s8', 3 * MiB),
          'mmproj-split-llm-f16.gguf': seededContent('mm', 512 * 1024),
          'config.json': '{}',
        },
      },
    ],
  });
}

/** Real GGUF headers (node-llama-cpp reads them for fit estimates): a loadable tiny model and a 70B-shaped header. */
export function llamaGgufRepo(): FakeRepo {
  return buildRepo({
    id: 'hubcap-test/tiny-llama-GGUF',
    tags: ['gguf', 'text-generation', 'llama'],
    pipelineTag: 'text-generation',
    libraryName: 'gguf',
    downloads: 77,
    commits: [
      {
        files: {
          'README.md': '# Tiny llama\n\nA generated llama model that runs, and the header of one that would not fit.\n',
          'tiny-llama-F32.gguf': bufferContent(fs.readFileSync(cachedLlamaModel())),
          'huge-llama-F16.gguf': bufferContent(fs.readFileSync(cachedLlamaModel('huge', HUGE_70B))),
        },
      },
    ],
  });
}

export function standardRepos(): FakeRepo[] {
  return [tinyLlm(), gatedRepo(), privateRepo(), splitLlm(), llamaGgufRepo()];
}
