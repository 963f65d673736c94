/**
 * Sentry upload through a durable outbox. Importing this module loads neither @sentry/core nor
 * @sentry/node: the Sentry code is imported on the first upload (see sentry-client.ts).
 */
export { buildBundleUpload, bundleAttachments, type BundleUpload, type UploadAttachment } from './bundle-event.js';
export { breadcrumbsFrom } from './breadcrumbs.js';
export { drainOutbox, type DrainOptions, type DrainResult, type DrainProgress, type ItemResult, type ItemOutcome } from './drain.js';
export { acquireDrainLock, DRAIN_LOCK_NAME, type DrainLock } from './drain-lock.js';
export { parseDsn, describeDsn, type ParsedDsn } from './dsn.js';
export { enqueueBundle, pendingItems, type EnqueueOptions, type EnqueueResult } from './enqueue.js';
export { uploadBundle, type UploadBundleOptions, type UploadBundleResult } from './upload-now.js';
export { MAX_EVENT_BYTES, MAX_REQUEST_BYTES } from './size-limits.js';
export { IsolatedSentryClient, loadSentry, type CapturedEnvelope, type SentryModules } from './sentry-client.js';
export { describeIncident, MANUAL_EXPORT_TITLE, type SentryLevel } from './incident-summary.js';
export { DEFAULT_BOUNDS, enforceBounds, type OutboxBounds } from './outbox-bounds.js';
export { OutboxStore, newEventId, type OutboxItem, type FailedItem, type EvictionRecord, type OutboxLog } from './outbox-store.js';
export { repackWithBundleBuilder, type RepackBundle } from './repack.js';
export { backoffDelay, type BackoffOptions } from './retry-policy.js';
export { blockedUntil, limitsFromResponse, RATE_LIMIT_CAP_MS, type RateLimits } from './rate-limits.js';
export { nodeHttpTransport, type Transport, type TransportRequest, type TransportResponse } from './transport.js';
export { Uploader, type UploaderOptions, type UploaderStats } from './uploader.js';
export { startLocalIngest, type LocalIngest, type LocalIngestOptions, type IngestFault, type ReceivedEnvelope } from './local-ingest.js';
export { DeliveryBudget, pendingHeldBack, readPendingHeldBack, type BudgetPersistence, type HeldBackSummary, type PendingHeldBack } from './budget.js';
export { DEFAULT_BUDGET, decide, inSample, resolveBudgetOptions, type BudgetDecision, type BudgetLedger, type BudgetLevel, type BudgetOptions } from './budget-policy.js';
export { readOrCreateInstallId, InstallIdSource, INSTALL_ID_FILE, type InstallIdOptions } from './install-id.js';
export { applyHeldBack, type HeldBackCount, type HoldReason } from './held-back.js';
export { planEvictions, type EvictionPlan, type EvictionRank } from './eviction-policy.js';
