/**
 * Credential formats with a recognisable shape, one row per format (a rule table: long on purpose).
 *
 * The shapes are public knowledge: the providers document their prefixes, and the open secret scanners
 * collect them. Many rows are adapted from gitleaks' default configuration (config/gitleaks.toml,
 * MIT licence, Copyright (c) 2019 Zachary Rice); bodies are written open-ended (`{n,}`) where gitleaks
 * has an exact length, because a redactor prefers to over-match a token that grew than leak it.
 *
 * Why not a maintained ruleset as a dependency: secretlint's recommended preset
 * (@secretlint/secretlint-rule-preset-recommend, MIT, well kept) covers about 20 providers, each rule
 * scans the whole text with its own regexes through secretlint's async lint context, and it reports
 * findings rather than rewriting text; gitleaks and trufflehog are Go programs and detect-secrets is
 * Python. None can run in-process on a log line at the speed a log pipeline needs, so the shapes are
 * kept here as data and compiled into one prefix scan (src/bundle/provider-token-pass.ts).
 *
 * A row is a literal prefix and body parts. A part is a literal string or `[class, min, max?]`; a part
 * without max is open-ended. Each row's samples (generated from the parts) are caught by the tests, and a
 * prefix with a too-short body is kept.
 */

/** Character classes of body parts. */
export const CHAR_CLASSES = {
  /** letters and digits */
  alnum: 'A-Za-z0-9',
  /** lower-case hex */
  hex: 'a-f0-9',
  /** hex of either case */
  HEX: 'A-Fa-f0-9',
  /** lower-case letters and digits */
  lower: 'a-z0-9',
  /** upper-case letters and digits */
  upper: 'A-Z0-9',
  digits: '0-9',
  letters: 'A-Za-z',
  /** \w */
  word: 'A-Za-z0-9_',
  /** base64url: \w and - */
  url: 'A-Za-z0-9_\\-',
  /** base64 without padding */
  b64: 'A-Za-z0-9+/',
  /** bech32 data characters, upper case (age keys) */
  bech32: 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L',
} as const;

export type CharClass = keyof typeof CHAR_CLASSES;
export type BodyPart = string | readonly [CharClass, number, number?];

export interface ProviderFormat {
  /** Who issues it and what it is. */
  provider: string;
  /** The literal start of every token of this format (case-sensitive). */
  prefix: string;
  /** What follows the prefix. */
  body: readonly BodyPart[];
}

const f = (provider: string, prefix: string, ...body: BodyPart[]): ProviderFormat => ({ provider, prefix, body });
const UUID: BodyPart[] = [['hex', 8, 8], '-', ['hex', 4, 4], '-', ['hex', 4, 4], '-', ['hex', 4, 4], '-', ['hex', 12, 12]];

export const PROVIDER_FORMATS: readonly ProviderFormat[] = [
  // --- AI providers
  f('Anthropic API key', 'sk-ant-api03-', ['url', 80]),
  f('Anthropic admin key', 'sk-ant-admin01-', ['url', 80]),
  f('OpenAI project key', 'sk-proj-', ['url', 40]),
  f('OpenAI service account key', 'sk-svcacct-', ['url', 40]),
  f('OpenAI admin key', 'sk-admin-', ['url', 40]),
  f('OpenRouter key', 'sk-or-v1-', ['hex', 64]),
  f('Langfuse secret key', 'sk-lf-', ['url', 30]),
  f('Groq API key', 'gsk_', ['alnum', 48]),
  f('xAI API key', 'xai-', ['alnum', 70]),
  f('Replicate API token', 'r8_', ['alnum', 37]),
  f('Perplexity API key', 'pplx-', ['alnum', 48]),
  f('LangSmith personal token', 'lsv2_pt_', ['hex', 32, 32], '_', ['hex', 10]),
  f('LangSmith service key', 'lsv2_sk_', ['hex', 32, 32], '_', ['hex', 10]),
  f('Pinecone API key', 'pcsk_', ['alnum', 5, 8], '_', ['url', 40]),
  f('ElevenLabs API key', 'sk_', ['hex', 48]),
  f('Hugging Face organisation token', 'api_org_', ['letters', 34]),
  f('Fireworks API key', 'fw_', ['alnum', 24]),
  f('Tavily API key', 'tvly-', ['alnum', 32]),
  f('Firecrawl API key', 'fc-', ['hex', 32]),
  f('NVIDIA API key', 'nvapi-', ['url', 60]),
  f('Cerebras API key', 'csk-', ['lower', 40]),
  f('Jina API key', 'jina_', ['alnum', 50]),
  f('Voyage API key', 'pa-', ['url', 40]),
  f('Anyscale secret', 'esecret_', ['alnum', 20]),
  f('E2B API key', 'e2b_', ['hex', 40]),
  f('Browserbase API key', 'bb_live_', ['url', 24]),
  f('Helicone API key', 'sk-helicone-', ['url', 24]),
  // --- cloud
  f('AWS access key id (ABIA)', 'ABIA', ['upper', 16]),
  f('AWS access key id (ACCA)', 'ACCA', ['upper', 16]),
  f('AWS access key id (A3T)', 'A3T', ['upper', 17]),
  f('Amazon Bedrock long-lived API key', 'ABSK', ['b64', 100]),
  f('Amazon Bedrock short-lived API key', 'bedrock-api-key-', ['b64', 40]),
  f('Google OAuth client secret', 'GOCSPX-', ['url', 28]),
  f('Google OAuth access token', 'ya29.', ['url', 30]),
  f('Google OAuth refresh token', '1//0', ['url', 30]),
  f('Alibaba Cloud access key id', 'LTAI', ['alnum', 20]),
  f('Tencent Cloud secret id', 'AKID', ['alnum', 32]),
  f('Scaleway access key', 'SCW', ['upper', 17, 17]),
  f('Yandex Cloud API key', 'AQVN', ['url', 35]),
  f('Yandex OAuth token', 'y0_', ['url', 50]),
  f('DigitalOcean personal access token', 'dop_v1_', ['hex', 64]),
  f('DigitalOcean OAuth token', 'doo_v1_', ['hex', 64]),
  f('DigitalOcean refresh token', 'dor_v1_', ['hex', 64]),
  f('Heroku API key (v2)', 'HRKU-', ['url', 40]),
  f('HashiCorp Vault service token', 'hvs.', ['url', 24]),
  f('HashiCorp Vault batch token', 'hvb.', ['url', 100]),
  f('HashiCorp Vault recovery token', 'hvr.', ['url', 24]),
  f('Databricks token', 'dapi', ['hex', 32]),
  f('Supabase management token', 'sbp_', ['hex', 40]),
  f('Supabase secret key', 'sb_secret_', ['url', 24]),
  f('Tailscale auth key', 'tskey-auth-', ['url', 20]),
  f('Tailscale API key', 'tskey-api-', ['url', 20]),
  f('Tailscale OAuth client secret', 'tskey-client-', ['url', 20]),
  f('Cloudflare origin CA key', 'v1.0-', ['hex', 24, 24], '-', ['hex', 140]),
  f('Fly.io token (fo1)', 'fo1_', ['url', 40]),
  f('Fly.io macaroon (fm1a)', 'fm1a_', ['b64', 100]),
  f('Fly.io macaroon (fm1r)', 'fm1r_', ['b64', 100]),
  f('Fly.io macaroon (fm2)', 'fm2_', ['b64', 100]),
  f('Netlify access token', 'nfp_', ['alnum', 36]),
  f('Render API key', 'rnd_', ['alnum', 32]),
  f('Neon API key', 'napi_', ['lower', 60]),
  f('PlanetScale token', 'pscale_tkn_', ['url', 32]),
  f('PlanetScale OAuth token', 'pscale_oauth_', ['url', 32]),
  f('PlanetScale password', 'pscale_pw_', ['url', 32]),
  f('Doppler personal token', 'dp.pt.', ['alnum', 40]),
  f('Doppler service token', 'dp.st.', ['url', 40]),
  f('Doppler CLI token', 'dp.ct.', ['alnum', 40]),
  f('Doppler service account token', 'dp.sa.', ['alnum', 40]),
  f('Doppler SCIM token', 'dp.scim.', ['alnum', 40]),
  f('Doppler audit token', 'dp.audit.', ['alnum', 40]),
  f('Pulumi access token', 'pul-', ['hex', 40]),
  f('Akamai client token', 'akab-', ['lower', 16, 16], '-', ['lower', 16]),
  f('Cloudflare API token (cfat)', 'cfat_', ['url', 40]),
  f('Cloudflare user token (cfut)', 'cfut_', ['url', 40]),
  // --- observability
  f('1Password service account token', 'ops_eyJ', ['b64', 100]),
  f('Grafana service account token', 'glsa_', ['alnum', 32, 32], '_', ['HEX', 8]),
  f('Grafana Cloud token', 'glc_', ['b64', 32]),
  f('Grafana API key', 'eyJrIjoi', ['b64', 60]),
  f('New Relic user API key', 'NRAK-', ['upper', 27]),
  f('New Relic browser key', 'NRJS-', ['hex', 19]),
  f('New Relic insert key', 'NRII-', ['url', 32]),
  f('Sentry user token', 'sntryu_', ['hex', 64]),
  f('Sentry org token', 'sntrys_', ['b64', 60]),
  f('Dynatrace token', 'dt0c01.', ['upper', 24, 24], '.', ['upper', 64]),
  f('Honeycomb ingest key', 'hcaik_', ['alnum', 40]),
  f('Honeycomb configuration key', 'hcxik_', ['alnum', 40]),
  // --- messaging
  f('Slack app token', 'xapp-', ['digits', 1, 2], '-', ['url', 20]),
  f('Slack configuration refresh token', 'xoxe-', ['digits', 1, 2], '-', ['alnum', 60]),
  f('Slack configuration access token', 'xoxe.xox', ['lower', 1, 1], '-', ['digits', 1, 2], '-', ['alnum', 60]),
  f('SendGrid API key', 'SG.', ['url', 20, 24], '.', ['url', 40]),
  f('Mailgun API key', 'key-', ['hex', 32]),
  f('Mailgun signing/public key', 'pubkey-', ['hex', 32]),
  f('Brevo (Sendinblue) API key', 'xkeysib-', ['hex', 64, 64], '-', ['alnum', 16]),
  f('Brevo (Sendinblue) SMTP key', 'xsmtpsib-', ['hex', 64, 64], '-', ['alnum', 16]),
  f('Twilio API key', 'SK', ['HEX', 32, 32]),
  f('Resend API key', 're_', ['alnum', 8, 8], '_', ['alnum', 24]),
  f('Mailchimp transactional key', 'md-', ['url', 22]),
  f('Postmark server token', 'pm-', ['hex', 8, 8], '-', ['hex', 4, 4], '-', ['hex', 4]),
  // --- commerce and payments
  f('Stripe webhook secret', 'whsec_', ['alnum', 32]),
  f('Stripe secret key (prod)', 'sk_prod_', ['alnum', 16]),
  f('Stripe restricted key (prod)', 'rk_prod_', ['alnum', 16]),
  f('Shopify access token', 'shpat_', ['HEX', 32]),
  f('Shopify shared secret', 'shpss_', ['HEX', 32]),
  f('Shopify custom app token', 'shpca_', ['HEX', 32]),
  f('Shopify private app token', 'shppa_', ['HEX', 32]),
  f('Square access token', 'EAAA', ['url', 40]),
  f('Square OAuth secret', 'sq0csp-', ['url', 40]),
  f('Square access token (legacy)', 'sq0atp-', ['url', 22]),
  f('Facebook page access token (EAAC)', 'EAAC', ['alnum', 60]),
  f('Facebook page access token (EAAM)', 'EAAM', ['alnum', 60]),
  f('Facebook user access token (EAAG)', 'EAAG', ['alnum', 60]),
  f('PayPal Braintree access token', 'access_token$production$', ['lower', 16, 16], '$', ['hex', 32]),
  f('PayPal Braintree sandbox token', 'access_token$sandbox$', ['lower', 16, 16], '$', ['hex', 32]),
  f('Flutterwave secret key', 'FLWSECK-', ['HEX', 32]),
  f('Flutterwave test secret key', 'FLWSECK_TEST-', ['HEX', 12]),
  f('Razorpay live key', 'rzp_live_', ['alnum', 14]),
  f('Plaid access token', 'access-production-', ...UUID),
  f('Plaid sandbox token', 'access-sandbox-', ...UUID),
  f('Shippo live token', 'shippo_live_', ['HEX', 40]),
  f('Shippo test token', 'shippo_test_', ['HEX', 40]),
  f('EasyPost API key', 'EZAK', ['alnum', 54]),
  f('EasyPost test key', 'EZTK', ['alnum', 54]),
  f('Duffel live token', 'duffel_live_', ['url', 43]),
  f('Duffel test token', 'duffel_test_', ['url', 43]),
  f('Coinbase CDP key', 'organizations/', ...UUID, '/apiKeys/', ...UUID),
  f('Klaviyo private key', 'pk_', ['hex', 34]),
  // --- developer tools and code hosting
  f('GitLab personal access token', 'glpat-', ['url', 20]),
  f('GitLab deploy token', 'gldt-', ['url', 20]),
  f('GitLab runner token', 'glrt-', ['url', 20]),
  f('GitLab pipeline trigger token', 'glptt-', ['hex', 40]),
  f('GitLab runner registration token', 'GR1348941', ['url', 20]),
  f('GitLab OAuth app secret', 'gloas-', ['url', 64]),
  f('GitLab CI job token', 'glcbt-', ['alnum', 1, 5], '_', ['url', 20]),
  f('GitLab feature flag token', 'glffct-', ['url', 20]),
  f('GitLab feed token', 'glft-', ['url', 20]),
  f('GitLab incoming mail token', 'glimt-', ['url', 25]),
  f('GitLab agent token', 'glagent-', ['url', 50]),
  f('GitLab SCIM token', 'glsoat-', ['url', 20]),
  f('GitLab session cookie', '_gitlab_session=', ['lower', 32]),
  f('GitHub Enterprise token', 'ghe_', ['alnum', 36]),
  f('Bitbucket API token', 'ATBB', ['alnum', 32]),
  f('Atlassian API token', 'ATATT3', ['url', 60]),
  f('Atlassian Connect token', 'ATCTT3', ['url', 60]),
  f('Docker Hub personal access token', 'dckr_pat_', ['url', 27]),
  f('Docker Hub organisation token', 'dckr_oat_', ['url', 27]),
  f('PyPI upload token', 'pypi-AgEIcHlwaS5vcmc', ['url', 50]),
  f('PyPI test upload token', 'pypi-AgENdGVzdC5weXBpLm9yZw', ['url', 50]),
  f('RubyGems API key', 'rubygems_', ['hex', 48]),
  f('NuGet API key', 'oy2', ['lower', 43]),
  f('crates.io token', 'cio', ['alnum', 32]),
  f('Clojars token', 'CLOJARS_', ['lower', 60]),
  f('JFrog Artifactory API key', 'AKCp', ['alnum', 60]),
  f('JFrog Artifactory reference token', 'cmVmdGtu', ['alnum', 50]),
  f('Linear API key', 'lin_api_', ['alnum', 40]),
  f('Linear OAuth token', 'lin_oauth_', ['alnum', 40]),
  f('Notion integration token', 'ntn_', ['alnum', 40]),
  f('Notion legacy integration secret', 'secret_', ['alnum', 43]),
  f('Figma personal access token', 'figd_', ['url', 40]),
  f('Figma OAuth token', 'figu_', ['url', 40]),
  f('Postman API key', 'PMAK-', ['HEX', 24, 24], '-', ['HEX', 34]),
  f('CircleCI personal token', 'CCIPAT_', ['alnum', 22, 22], '_', ['HEX', 40]),
  f('CircleCI project token', 'CCIPRJ_', ['alnum', 22, 22], '_', ['HEX', 40]),
  f('age secret key', 'AGE-SECRET-KEY-1', ['bech32', 58]),
  f('OpenShift user token', 'sha256~', ['url', 43]),
  f('HubSpot private app token (na1)', 'pat-na1-', ...UUID),
  f('HubSpot private app token (eu1)', 'pat-eu1-', ...UUID),
  f('Airtable personal access token', 'pat', ['alnum', 14, 14], '.', ['hex', 64]),
  f('Harness personal access token', 'pat.', ['url', 22, 22], '.', ['alnum', 24, 24], '.', ['alnum', 20]),
  f('Harness service account token', 'sat.', ['url', 22, 22], '.', ['alnum', 24, 24], '.', ['alnum', 20]),
  f('Buildkite user access token', 'bkua_', ['lower', 40]),
  f('Asana personal access token', '2/', ['digits', 16], '/', ['digits', 16], ':', ['hex', 32]),
  f('Asana personal access token (v1)', '1/', ['digits', 16], ':', ['hex', 32]),
  f('1Password account secret key', 'A3-', ['upper', 6, 6], '-', ['upper', 6, 6], '-', ['upper', 5, 5], '-', ['upper', 5, 5], '-', ['upper', 5, 5], '-', ['upper', 5, 5]),
  f('1Password account secret key (short form)', 'A3-', ['upper', 6, 6], '-', ['upper', 11, 11], '-', ['upper', 5, 5], '-', ['upper', 5, 5], '-', ['upper', 5, 5]),
  f('Sourcegraph access token', 'sgp_', ['HEX', 40]),
  f('SonarQube user token', 'squ_', ['hex', 40]),
  f('SonarQube project token', 'sqp_', ['hex', 40]),
  f('SonarQube analysis token', 'sqa_', ['hex', 40]),
  f('Contentful personal access token', 'CFPAT-', ['url', 43]),
  f('Prefect API key', 'pnu_', ['alnum', 36]),
  f('ReadMe API key', 'rdme_', ['lower', 70]),
  f('Scalingo API token', 'tk-us-', ['url', 48]),
  f('Infracost API token', 'ico-', ['alnum', 32]),
  f('Frame.io token', 'fio-u-', ['url', 64]),
  f('Typeform token', 'tfp_', ['url', 59]),
  f('Adobe client secret', 'p8e-', ['alnum', 32]),
  f('Adafruit IO key', 'aio_', ['alnum', 28]),
  f('ClickHouse Cloud secret', '4b1d', ['alnum', 38]),
  f('1Password secret key', 'A3-', ['upper', 6, 6], '-', ['upper', 11, 11], '-', ['upper', 5, 5], '-', ['upper', 5, 5], '-', ['upper', 5]),
  f('Intra42 client secret', 's-s4t2ud-', ['hex', 64]),
  f('Intra42 app secret', 's-s4t2af-', ['hex', 64]),
  f('Settlemint application token', 'sm_aat_', ['alnum', 16]),
  f('Settlemint personal token', 'sm_pat_', ['alnum', 16]),
  f('Settlemint service token', 'sm_sat_', ['alnum', 16]),
  f('Authress service key', 'authress_', ['lower', 5, 30], '.', ['lower', 4, 6], '.acc', '_', ['lower', 10, 32], '.', ['b64', 30]),
  f('Mapbox secret token', 'sk.eyJ', ['url', 60]),
  f('Dropbox short-lived token', 'sl.', ['url', 130]),
  f('Octopus Deploy API key', 'API-', ['upper', 26]),
  f('ClickUp personal token', 'pk_', ['digits', 6, 10], '_', ['upper', 32]),
  f('Stytch live secret', 'secret-live-', ['url', 36]),
  f('Stytch test secret', 'secret-test-', ['url', 36]),
  f('Twitter bearer token', 'AAAAAAAAAAAAAAAAAAAAA', ['url', 60]),
  f('Mistral-style Codestral key', 'cdst-', ['alnum', 32]),
  f('Vercel token', 'vcp_', ['alnum', 40]),
  f('Vercel integration token', 'vci_', ['alnum', 40]),
];

/**
 * Formats whose start is not a literal prefix: each is a whole regex (linear: every run is guarded by
 * a lookbehind on its own class) with the literal `anchor` it always contains, and a sample. Tests
 * catch every sample.
 */
export interface AnchoredFormat {
  provider: string;
  /** A literal every match contains; the text is searched for it before the pattern runs. */
  anchor: string;
  pattern: RegExp;
  sample: string;
  /** The part of the sample that must vanish (the sample's last 16 characters when not given). */
  sampleSecret?: string;
}

export const ANCHORED_FORMATS: readonly AnchoredFormat[] = [
  {
    provider: 'Terraform Cloud / HCP token',
    anchor: '.atlasv1.',
    pattern: /(?<![A-Za-z0-9])[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,}/g,
    sample: 'Ab3dE5gH7jK9mN.atlasv1.Qr2sT4uV6wX8yZ0aB1cD3eF5gH7iJ9kL1mN3oP5qR7sT9uV1wX3yZ5aB7cD9eF1gH3iJ5k',
  },
  {
    provider: 'MaxMind license key',
    anchor: '_mmk',
    pattern: /(?<![A-Za-z0-9_])[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk(?![A-Za-z0-9_])/g,
    sample: 'Ab3dE5_fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5b_mmk',
  },
  {
    provider: 'Azure DevOps personal access token',
    anchor: 'AZDO',
    pattern: /(?<![A-Za-z0-9])[A-Za-z0-9]{52}AZDO[A-Za-z0-9]{4}(?![A-Za-z0-9])/g,
    sample: 'Ab3dE5gH7jK9mN1pQ3rS5tU7vW9xY1zA3bC5dE7fG9hJ1kL3mN5pQAZDOx7Yz',
  },
  {
    provider: 'Telegram bot token',
    anchor: ':AA',
    pattern: /(?<![A-Za-z0-9_])\d{5,16}:AA[A-Za-z0-9_-]{30,40}/g,
    sample: '7312458890:AAFq3vX9kLm2Np8Rt4Ws6Yz1Bc5De7Fg0Hi',
  },
  {
    provider: 'Microsoft Entra client secret',
    anchor: 'Q~',
    pattern: /(?<![A-Za-z0-9_~.\-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}/g,
    sample: 'xYz8Q~Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv',
  },
  {
    provider: 'Discord bot token',
    anchor: '.',
    pattern: /(?<![A-Za-z0-9_.\-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_\-])/g,
    sample: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.Fg1Hi2Jk3Lm4No5Pq6Rs7Tu8Vw9Xy0Za1Bc',
  },
  {
    provider: 'Microsoft Teams incoming webhook',
    anchor: 'webhook.office.com',
    pattern: /(?<![A-Za-z0-9.\-])[a-z0-9-]{1,63}\.webhook\.office\.com\/webhookb2\/[A-Za-z0-9@\-]{36,80}\/IncomingWebhook\/[A-Za-z0-9]{32}\/[A-Za-z0-9\-]{36}(?:\/[A-Za-z0-9_\-]{10,})?/g,
    sample:
      'contoso.webhook.office.com/webhookb2/3f2a9c1b-8e4d-4b7a-9c2e-1a2b3c4d5e6f@72f988bf-86f1-41af-91ab-2d7cd011db47/IncomingWebhook/9f8e7d6c5b4a39281716f5e4d3c2b1a0/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
  },
  {
    provider: 'Microsoft Power Automate webhook signature',
    anchor: 'logic.azure.com',
    pattern: /(?<![A-Za-z0-9.\-])[a-z0-9.\-]{1,80}\.logic\.azure\.com(?::\d{1,5})?\/workflows\/[a-f0-9]{32}\/triggers\/[^\s"'<>]{1,200}?[?&]sig=[A-Za-z0-9_\-%]{20,}/g,
    sample: 'prod-01.westus.logic.azure.com:443/workflows/9f8e7d6c5b4a39281716f5e4d3c2b1a0/triggers/manual/paths/invoke?api-version=2016-06-01&sig=AbCdEf0123456789GhIjKlMnOpQrSt',
  },
  {
    provider: 'Mailchimp API key',
    anchor: '-us',
    pattern: /(?<![A-Za-z0-9])[a-f0-9]{32}-us\d{1,2}(?![A-Za-z0-9])/g,
    sample: '0a1b2c3d4e5f60718293a4b5c6d7e8f9-us21',
  },
  {
    provider: 'Facebook app access token',
    anchor: '|',
    pattern: /(?<![A-Za-z0-9])\d{15,16}\|[A-Za-z0-9_\-]{27,40}(?![A-Za-z0-9_\-])/g,
    sample: '123456789012345|AbCdEfGhIjKlMnOpQrStUvWxYz012',
  },
  {
    provider: 'Sidekiq Enterprise credentials in a gem source URL',
    anchor: 'contribsys.com',
    pattern: /(?<![A-Za-z0-9])[a-f0-9]{8}:[a-f0-9]{8}(?=@(?:gems|enterprise)\.contribsys\.com)/g,
    sample: 'https://cafe0123:beef4567@gems.contribsys.com/',
    sampleSecret: 'beef4567',
  },
];
