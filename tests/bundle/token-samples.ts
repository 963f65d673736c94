import { CHAR_CLASSES, PROVIDER_FORMATS, ANCHORED_FORMATS, type ProviderFormat } from '../../src/bundle/provider-catalogue.js';

/** The characters of a catalogue class, expanded from its regex class text. */
export function classChars(cls: keyof typeof CHAR_CLASSES): string {
  const source = CHAR_CLASSES[cls].replace(/\\-/g, '-');
  let out = '';
  for (let i = 0; i < source.length; i++) {
    if (source[i + 1] === '-' && i + 2 < source.length) {
      for (let c = source.charCodeAt(i); c <= source.charCodeAt(i + 2); c++) out += String.fromCharCode(c);
      i += 2;
    } else out += source[i];
  }
  return out;
}

/** A small deterministic PRNG (mulberry32), so the corpus is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A made-up token of the format: each part at its minimum length (plus a few for open-ended parts),
 * characters drawn at random from the class; the body holds a digit or both letter cases when its
 * classes allow, as random tokens do.
 */
export function sampleToken(format: ProviderFormat, random: () => number): { token: string; body: string } {
  for (let attempt = 0; attempt < 50; attempt++) {
    let body = '';
    for (const [i, part] of format.body.entries()) {
      if (typeof part === 'string') {
        body += part;
        continue;
      }
      const [cls, min, max] = part;
      const chars = classChars(cls);
      const open = max === undefined || i === format.body.length - 1;
      const length = open ? min + Math.floor(random() * 6) : min + Math.floor(random() * (max - min + 1));
      for (let k = 0; k < length; k++) body += chars[Math.floor(random() * chars.length)];
    }
    if (/\d/.test(body) || (/[A-Z]/.test(body) && /[a-z]/.test(body))) return { token: format.prefix + body, body };
  }
  throw new Error(`no random-looking sample for ${format.provider}`);
}

/** Every catalogued format as a token and the part of it that must vanish. */
export function catalogueSamples(seed = 11): Array<{ provider: string; token: string; secret: string }> {
  const random = prng(seed);
  const prefixed = PROVIDER_FORMATS.map((format) => {
    const { token, body } = sampleToken(format, random);
    return { provider: format.provider, token, secret: body };
  });
  const anchored = ANCHORED_FORMATS.map((format) => ({ provider: format.provider, token: format.sample, secret: format.sampleSecret ?? format.sample.slice(-16) }));
  return [...prefixed, ...anchored];
}

/** Tokens of the formats with their own named rules (made up; the shapes are the providers'). */
export const NAMED_RULE_SAMPLES: ReadonlyArray<{ provider: string; token: string; secret: string }> = [
  { provider: 'Anthropic', token: 'sk-ant-api03-Qm3xT9vK2pL8wR4nZ7cY1bF5hJ0dG6sA-eU2iO9pQ3rS7tV1wX5yZ8aB4cD6eF0gH2jK', secret: 'Qm3xT9vK2pL8wR4nZ7cY1bF5hJ0dG6sA' },
  { provider: 'OpenAI', token: 'sk-proj-Wq8Zr2Xt6Yv4Ub1Nc9Md3Le7Kf5Jg0Hh2Ii4Oo6Pp8Qq', secret: 'Wq8Zr2Xt6Yv4Ub1Nc9Md3Le7Kf5Jg0Hh' },
  { provider: 'GitHub', token: 'ghp_R7kX2mQ9vL4pN8tW3zB6cF1hJ5dG0sA9eU2i', secret: 'R7kX2mQ9vL4pN8tW3zB6cF1hJ5dG0sA9eU2i' },
  { provider: 'GitHub fine-grained', token: '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d6Ef8Gh', secret: 'Jk2Lm4Np6Qr8St0Uv2Wx4Yz6Ab8Cd0Ef2Gh4Ij' },
  { provider: 'AWS', token: 'AKIAQX7M2B9V4N8K3L5P', secret: 'QX7M2B9V4N8K3L5P' },
  { provider: 'Slack bot', token: 'xoxb-123456789012-1234567890123-Xq7Zm2Kv9Lp4Rt8Wn3Yb', secret: 'Xq7Zm2Kv9Lp4Rt8Wn3Yb' },
  { provider: 'Google API', token: 'AIzaSyQ7x2M9vK4pL8nR3tW6zB1cF5hJ0dG9sAe', secret: 'SyQ7x2M9vK4pL8nR3tW6zB1cF5hJ0dG9sAe' },
  { provider: 'Stripe', token: 'sk_live_51Hq7Zm2Kv9Lp4Rt8Wn3Yb6Xc', secret: '51Hq7Zm2Kv9Lp4Rt8Wn3Yb6Xc' },
  { provider: 'npm', token: 'npm_Qm3xT9vK2pL8wR4nZ7cY1bF5hJ0dG6sAeU2i', secret: 'Qm3xT9vK2pL8wR4nZ7cY1bF5hJ0dG6sAeU2i' },
  { provider: 'Hugging Face', token: 'hf_Qm3xTvKpLwRnZcYbFhJdGsAeUiOpQrStVw', secret: 'Qm3xTvKpLwRnZcYbFhJdGsAeUiOpQrStVw' },
  {
    provider: 'JWT',
    token: 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.Xq7Zm2Kv9Lp4Rt8Wn3Yb6Xc1Hq7Zm2Kv9Lp4Rt8Wn3Y',
    secret: 'eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ',
  },
];
