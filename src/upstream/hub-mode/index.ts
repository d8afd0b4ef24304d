/** Hub mode translation layer: pure, state in and out; see charger-to-csms.ts and csms-to-charger.ts. */
export * from './evse-mapping.js';
export { EvseMappingRepo, type EvseMappingRepoDeps } from './mapping-repo.js';
export * from './hub-state.js';
export { fromCharger, ANSWERED_LOCALLY, type ChargerMessage, type FromChargerOptions, type FromChargerResult } from './charger-to-csms.js';
export { answerCharger, type AnswerInput, type ChargerAnswerPlan } from './charger-answers.js';
export { flushDueBatches, batchDue } from './batching.js';
export { hubTransactionId } from './from-16.js';
export { planCsmsCall, answerCsms, chargingProfile16, FORWARDED_ACTIONS, type CsmsCall, type CsmsPlan, type DownstreamCall, type ThenSend, type VersionOf } from './csms-to-charger.js';
export { buildDeviceModel, getVariables, setVariables, getBaseReport, type DeviceModel, type HubDeviceInfo, type EvseFacts, type VariableChange } from './device-model.js';
export { hubBootNotification, bootOutcome, heartbeatDue, nextHeartbeatAtMs, HUB_VENDOR_NAME, type BootOutcome, type LinkActivity } from './boot.js';
export { idTokenOf16, idTagInfoOf, authorizationStatus16Of, type AuthorizationStatus16 } from './id-tokens.js';
export { errorTargetOf } from './error-events.js';
export type { UpstreamMessage, UpstreamVersion, TransactionEventReq } from './wire-2x.js';
export { dueResets, resetsAfterBoot } from './reset.js';
export { noteNotified, siteStatusNotification } from './trigger.js';
export { DEFAULT_ID_TOKEN_RULES, rememberCsmsToken, type IdTokenRules } from './id-tokens.js';
export { chargerAway, chargerBack, type PresenceStep } from './presence.js';
