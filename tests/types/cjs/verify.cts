// require("tessera-auth/verify") in Node (CommonJS; compiled, never run).
import { Verifier, TesseraError, errorResponse } from "tessera-auth/verify";
import type { ErrorCode } from "tessera-auth/verify";

const verifier = new Verifier({ jwksUrl: "https://auth.example/jwks.json", issuer: "https://auth.example", cooldownDuration: 30_000 });

async function check(token: string): Promise<Response | string> {
  try {
    const claims = await verifier.verify<{ tenant: string }>(token);
    const tenant: string = claims.tenant;
    return tenant;
  } catch (error) {
    const code: ErrorCode | undefined = error instanceof TesseraError ? error.code : undefined;
    console.log(code);
    return errorResponse(error);
  }
}
check("token");

// @ts-expect-error a misspelled option
new Verifier({ jwksUrl: "https://auth.example/jwks.json", audiance: "api" });
// @ts-expect-error a wrong option type: cooldownDuration is a number of milliseconds
new Verifier({ jwksUrl: "https://auth.example/jwks.json", cooldownDuration: "30s" });
