import * as grpc from "@grpc/grpc-js";
import type { TlsOptions } from "./options.js";

const pem = (value: string | Buffer): Buffer => (typeof value === "string" ? Buffer.from(value) : value);

/** Server side: clients must present a certificate signed by the CA unless `requireClientCertificate` is false. */
export function serverCredentials(tls: TlsOptions | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  const mutual = tls.requireClientCertificate ?? true;
  return grpc.ServerCredentials.createSsl(pem(tls.ca), [{ cert_chain: pem(tls.cert), private_key: pem(tls.key) }], mutual);
}

export function channelCredentials(tls: TlsOptions | undefined): grpc.ChannelCredentials {
  if (tls === undefined) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(pem(tls.ca), pem(tls.key), pem(tls.cert));
}
