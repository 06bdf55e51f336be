//! Keys written by OpenSSL 3.0 (`openssl genpkey`, `openssl pkey -pubout`, ...), for
//! tests only: they prove the loader takes what operators actually have.

/// `openssl genpkey -algorithm ed25519`
pub(super) const ED25519_PRIVATE: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MC4CAQAwBQYDK2VwBCIEIAttuyos7yomWsHwDi/xL0xofFGtzEaq9l8AJw+tFQ0P\n\
-----END PRIVATE KEY-----\n\
";

/// `openssl pkey -in ed25519.pem -pubout`
pub(super) const ED25519_PUBLIC: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MCowBQYDK2VwAyEAvtVNnaNQzcxTp4Z9iyVCQdoyEGuJqbNBTefQOtV0EXo=\n\
-----END PUBLIC KEY-----\n\
";

/// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`
pub(super) const P256_PRIVATE: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOWlsmAf8Hi/KAMX7\n\
5k4ihZsB0+ZKupNzq6x0UTrJh8OhRANCAAQ4kBihX2/0iLXtsZpNDhP4B3jUgDZC\n\
K88nbViYqRY6PKSFfH3659WxrTrIeCocYFZ16fBJYQSv5t+GDJyI19Av\n\
-----END PRIVATE KEY-----\n\
";

/// `openssl pkey -in p256.pem -pubout`
pub(super) const P256_PUBLIC: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEOJAYoV9v9Ii17bGaTQ4T+Ad41IA2\n\
QivPJ21YmKkWOjykhXx9+ufVsa06yHgqHGBWdenwSWEEr+bfhgyciNfQLw==\n\
-----END PUBLIC KEY-----\n\
";

/// The same P-256 public key, `openssl ec -pubout -conv_form compressed`.
pub(super) const P256_PUBLIC_COMPRESSED: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MDkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDIgADOJAYoV9v9Ii17bGaTQ4T+Ad41IA2\n\
QivPJ21YmKkWOjw=\n\
-----END PUBLIC KEY-----\n\
";

/// `openssl ecparam -name prime256v1 -genkey -noout` (SEC1, not PKCS#8).
pub(super) const P256_SEC1_PRIVATE: &str = "\
-----BEGIN EC PRIVATE KEY-----\n\
MHcCAQEEIGTqr6luxok9ebEgYcpysOt2jJxDNpeS1+aVXjY0gl/QoAoGCCqGSM49\n\
AwEHoUQDQgAEj6KsEt+4XYsOCW+bnPow/4SXCaRk/ajY3f1VM5if8SkkzwuapJUP\n\
f0jUePATz49qrOHqqoycpOIs530XdOg3Eg==\n\
-----END EC PRIVATE KEY-----\n\
";

/// `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384`
pub(super) const P384_PRIVATE: &str = "\
-----BEGIN PRIVATE KEY-----\n\
MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBryfOYxcgaf7frDpw9\n\
1cnNoUiDUGsi1pPQVMyRdKv2ZgIpQ41Sp4wUqRp0cd2sOqOhZANiAATg3vOFz8it\n\
lIRlyRr0M/g4IhenY2DuaJeKumgHf/cCeJuHVg7uGCs1d9tbdJJ715KT2CKT3Uq0\n\
+NU0w+TXhbOsLPSyOZDJ82xM4UPbqXn/XVLcmvJ5maFjTcLWcbFyt2s=\n\
-----END PRIVATE KEY-----\n\
";

/// `openssl pkey -in p384.pem -pubout`
pub(super) const P384_PUBLIC: &str = "\
-----BEGIN PUBLIC KEY-----\n\
MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE4N7zhc/IrZSEZcka9DP4OCIXp2Ng7miX\n\
irpoB3/3Anibh1YO7hgrNXfbW3SSe9eSk9gik91KtPjVNMPk14WzrCz0sjmQyfNs\n\
TOFD26l5/11S3JryeZmhY03C1nGxcrdr\n\
-----END PUBLIC KEY-----\n\
";

/// `openssl pkcs8 -topk8 -v2 aes-256-cbc` of the Ed25519 key (passphrase `x`).
pub(super) const ED25519_ENCRYPTED: &str = "\
-----BEGIN ENCRYPTED PRIVATE KEY-----\n\
MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiNQLPbLOM9WwICCAAw\n\
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEGb1wyZrgqhjzHWzD7IY+voEQNHm\n\
ZwMgxY5yoq4CKj8763rldVlyqx6iK6ZU/54od0msssbd21RD3aFjAAgYrfTx2Ja0\n\
iuBA9LwfUNjYwpwCQCM=\n\
-----END ENCRYPTED PRIVATE KEY-----\n\
";
