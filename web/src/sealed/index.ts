// The public surface of web/src/sealed (docs/sealed.md): keys, epoch keys and boxes, envelopes, membership
// operations, the chain replay and the keyring, file envelopes, byte for byte as crates/sealed; and the sync
// client.
export { SealedError, type SealedErrorKind } from "./errors"
export { DeviceId, DeviceKeys, DeviceSecret, KEY_FILE_FORMAT, verifyWith } from "./keys"
export { BOX_LEN, DocId, EpochKey, type ContentKey } from "./epoch"
export {
  EnvelopeKind, HEADER_LEN, MIN_LEN, openEnvelope, parseEnvelope, sealEnvelope, sealEnvelopeWithNonce,
  type Envelope, type EnvelopeHeader,
} from "./envelope"
export {
  FILE_OVERHEAD, fileHash, MAX_FILE_BYTES, openFile, sealFile, sealFileWithNonce, type FileKeys, type SealFileInput,
} from "./files"
export { boxFor, docIdFor, encodeBox, MAX_OP_JSON, opHash, opJson, parseOp, signOp, type Op, type OpBox, type OpKind, type SignedOp } from "./ops"
export { Membership } from "./membership"
export { addDevice, createGenesis, createGenesisWith, Keyring, removeDevice } from "./keyring"
export { SealedSession, type PullResult, type SealedSessionOptions } from "./client"
export { RelayApi, RelayProtocolError, RelayRefusal, type FetchLike, type SealedPullAnswer } from "./relay-api"
export { readSessionState, type OutboxEntry, type SealedSessionState } from "./session-state"
