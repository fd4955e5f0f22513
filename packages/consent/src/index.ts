/**
 * `@lawful/consent`: consent capture with proof, decisions, opt-outs, GPC, suppression, receipts and the cookie
 * disclosure element.
 * @packageDocumentation
 */
export { ConsentError } from "./errors.js";
export {
  CHANNELS,
  CONSENT_EVENT_TYPES,
  CONSENT_METHODS,
  CaslImpliedKindSchema,
  CaslRequestSchema,
  ChannelSchema,
  ConsentBasisSchema,
  ConsentEventTypeSchema,
  ConsentMethodSchema,
  ControllerSchema,
  DENIAL_REASONS,
  EvidenceSchema,
  IpPolicySchema,
  NoticeInputSchema,
  POSITIVE_ACT_METHODS,
  PurposeSchema,
  RecordEventInputSchema,
  type CaslRequest,
  type Channel,
  type ConsentBasis,
  type ConsentEvent,
  type ConsentEventType,
  type ConsentMethod,
  type Controller,
  type Decision,
  type DenialReason,
  type Evidence,
  type EvidenceInput,
  type IpPolicy,
  type Notice,
  type NoticeInput,
  type Purpose,
  type PurposeInput,
  type RecordEventInput,
} from "./model.js";
export {
  SUBJECT_STATE_KEYS,
  applyConsentEvent,
  decideFromState,
  projectConsentState,
  type ConsentState,
  type ConsentStateStatus,
  type DecisionInputs,
} from "./decision.js";
export type { ConsentCommit, ConsentStore, ConsentStoreCapabilities, SuppressionEntry } from "./store.js";
export { createTokenSigner, type TokenClaims, type TokenSigner } from "./tokens.js";
export {
  ConsentServiceOptionsSchema,
  FormSubmissionSchema,
  createConsentService,
  type CaptureResult,
  type ConsentService,
  type ConsentServiceOptions,
  type EndedConsent,
  type EndedConsentCursor,
  type EvidenceKeyring,
  type FormSubmission,
  type GpcOutcome,
  type RequestMeta,
  type SubjectInput,
  type SubjectPseudonymizer,
  type UnsubscribeOutcome,
} from "./service.js";
export { parseGpcHeader, gpcWellKnown } from "./gpc.js";
export { buildIso27560Record, buildKantaraReceipt, signReceipt, verifyReceipt, type ReceiptInput } from "./receipts.js";
export {
  COOKIE_CATEGORIES,
  CookieCatalogueSchema,
  CookieCategorySchema,
  CookieEntrySchema,
  parseCookieCatalogue,
  toDeviceStorageJson,
  type CookieCatalogue,
  type CookieCategory,
  type CookieEntry,
} from "./cookies/catalogue.js";
export { COOKIE_TEXTS, createCookieTextCatalogue, type CookieTextCatalogue, type CookieTexts } from "./cookies/texts.js";
export {
  CONSENT_MODE_DEFAULT_MAPPING,
  CookieChoiceBodySchema,
  cookieBannerScript,
  cookieChoiceToSubmission,
  renderCookieBanner,
  renderCookieTable,
  type CookieBannerOptions,
  type CookieChoiceBody,
} from "./cookies/render.js";
export type { CookieBannerConfig } from "./browser/banner.js";
