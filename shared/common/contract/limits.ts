/**
 * Size limits at the renderer → main trust boundary. The renderer is untrusted: a
 * compromised page must not be able to make the main process parse megabytes.
 */
export const ContractLimits = {
  /** Largest serialised argument list of one call, in bytes of JSON. */
  maxPayloadBytes: 64 * 1024,
  /** Longest free-text field (names, labels, search terms). */
  maxText: 256,
  /** Longest URL the renderer may hand over. */
  maxUrl: 2048,
  /** Largest page the audit view may ask for. */
  maxPageSize: 500,
} as const;
