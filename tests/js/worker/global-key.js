// A fixed, test-only P-256 key for signing at a worker's global scope, where no key can be
// generated (worker/index.js; its public half checks the tokens in workerd.test.mjs).
export const GLOBAL_JWK = {
  kty: "EC",
  crv: "P-256",
  kid: "global",
  x: "6_mOBHMeWAxVDo99gjvlJJrKVhmDzxDb6rv-cGfVZ7Q",
  y: "GkOyohWG4t_3vCXlIpkE9Tn2p9qMJE7NsLyDGQ2IB_s",
  d: "gtIhkag_cMNSQ70OFVzI-J9Qn3e0bkQV10cUqW43MtQ",
};
