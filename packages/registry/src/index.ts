/**
 * `@lawful/registry`: processors, sub-processors, joint and independent controllers and
 * third-party sources; transfer mechanisms and DPA checklists; sub-processor change notices with
 * objection windows; the disclosure log; records of processing (Art. 30); public lists and an
 * Atom feed of changes.
 * @packageDocumentation
 */
export { RegistryError } from "./errors.js";
export {
  AdequacyEntrySchema,
  AdequacyListSchema,
  AdequacySubsetSchema,
  CountryCodeSchema,
  EEA_COUNTRIES,
  EU_ADEQUACY_LIST,
  ExporterRegimeSchema,
  UK_ADEQUACY_LIST,
  classifyDestination,
  defineAdequacyList,
  type AdequacyEntry,
  type AdequacyList,
  type AdequacySubset,
  type CountryCode,
  type DestinationStatus,
  type ExporterRegime,
} from "./adequacy.js";
export {
  DEROGATION_GROUNDS,
  DpfCertificationSchema,
  TransferMechanismSchema,
  checkTransfer,
  type DpfCertification,
  type TransferMechanism,
  type TransferMechanismInput,
} from "./transfer.js";
export { DPA_CHECKLIST_ITEMS, DpaChecklistSchema, DpaSchema, checkDpaComplete, type Dpa, type DpaChecklist, type DpaInput } from "./dpa.js";
export {
  AddressSchema,
  ContactSchema,
  PARTY_ROLES,
  PartyChangeSchema,
  PartyIdSchema,
  PartyInputSchema,
  PartyRecordSchema,
  PartyStatusSchema,
  RepresentativeSchema,
  SpecificAuthorisationSchema,
  type Address,
  type Contact,
  type Party,
  type PartyChange,
  type PartyId,
  type PartyInput,
  type PartyRecord,
  type PartyRole,
  type PartyStatus,
  type Representative,
  type SpecificAuthorisation,
} from "./party.js";
export {
  ChangeNoticeInputSchema,
  ChangeNoticeSchema,
  ChangeNoticeStatusSchema,
  ObjectionSchema,
  ObjectionStatusSchema,
  type ChangeNotice,
  type ChangeNoticeInput,
  type ChangeNoticeStatus,
  type Objection,
  type ObjectionStatus,
} from "./change-notice.js";
export { DisclosureInputSchema, DisclosureRecordSchema, type DisclosureInput, type DisclosureQuery, type DisclosureRecord } from "./disclosure.js";
export type { RegistryStore, RegistryStoreCapabilities } from "./store.js";
export { checkActivationRules, checkStandingRules, type ActivationCheck, type ActivationContext } from "./activation.js";
export {
  REGISTRY_AUDIT_ACTIONS,
  RegistryOptionsSchema,
  createRegistry,
  type ChangeContext,
  type PartyReview,
  type ProcessorTreeNode,
  type Registry,
  type RegistryOptions,
  type SubjectRecipient,
  type SubjectRefInput,
} from "./registry.js";
export { describeTransferMechanism } from "./describe.js";
export { ATOM_EXTENSION_NAMESPACE, buildChangeFeed, renderAtomFeed, type AtomFeedOptions, type ChangeFeedEntry } from "./feed.js";
export {
  buildPublicSourceList,
  buildPublicSubprocessorList,
  renderPublicListHtml,
  type PublicList,
  type PublicListHtmlOptions,
  type PublicListOptions,
  type PublicPartyEntry,
} from "./public-list.js";
export {
  OrganisationIdentitySchema,
  RopaPurposeSchema,
  RopaRetentionRuleSchema,
  buildControllerRopa,
  buildProcessorRopa,
  ropaToJson,
  ropaToTable,
  type ControllerRopaEntry,
  type ControllerRopaInput,
  type OrganisationIdentity,
  type ProcessorRopaEntry,
  type ProcessorRopaInput,
  type RecordsOfProcessing,
  type RopaPurpose,
  type RopaRecipient,
  type RopaRetentionRule,
  type RopaTable,
  type RopaTransfer,
} from "./ropa.js";
