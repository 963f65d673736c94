/**
 * The version of the redaction rule set, recorded in every bundle's manifest (`redactionRules`). Raise
 * it whenever a rule catches more than before: a queued bundle built by older rules is re-redacted and
 * re-packed before it is uploaded. Bundles without the field were built by version 1.
 */
export const REDACTION_RULES_VERSION = 3;
