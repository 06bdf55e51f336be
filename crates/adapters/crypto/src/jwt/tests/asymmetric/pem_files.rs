//! Loading PEM files: what OpenSSL and `generate_keypair` write loads; everything else
//! is refused at start-up with a message that names the problem and no key material.

use portcullis_domain::ports::AccessTokenCodec;

use super::openssl::{
    ED25519_ENCRYPTED, ED25519_PRIVATE, ED25519_PUBLIC, P256_PRIVATE, P256_PUBLIC,
    P256_PUBLIC_COMPRESSED, P256_SEC1_PRIVATE, P384_PRIVATE, P384_PUBLIC,
};
use super::{BOTH, codec_with, kids, pair, signed_by};
use crate::jwt::tests::now;
use crate::jwt::{AsymmetricAlgorithm, JwtConfigError, JwtKey, PemKeyError, generate_keypair};

use AsymmetricAlgorithm::{EdDsa, Es256};

fn load(
    algorithm: AsymmetricAlgorithm,
    private: &str,
    verify: &[&str],
) -> Result<JwtKey, JwtConfigError> {
    let verify: Vec<Vec<u8>> = verify.iter().map(|p| p.as_bytes().to_vec()).collect();
    JwtKey::from_pem(algorithm, private.as_bytes(), &verify)
}

fn private_problem(algorithm: AsymmetricAlgorithm, private: &str) -> PemKeyError {
    match load(algorithm, private, &[]) {
        Err(JwtConfigError::PrivateKey(problem)) => problem,
        other => panic!("expected a private key error, got {other:?}"),
    }
}

fn verify_problem(
    algorithm: AsymmetricAlgorithm,
    private: &str,
    verify: &[&str],
) -> (usize, PemKeyError) {
    match load(algorithm, private, verify) {
        Err(JwtConfigError::VerifyKey { position, problem }) => (position, problem),
        other => panic!("expected a verify key error, got {other:?}"),
    }
}

#[test]
fn openssl_keys_load_sign_and_verify() {
    for (algorithm, private, public) in [
        (EdDsa, ED25519_PRIVATE, ED25519_PUBLIC),
        (Es256, P256_PRIVATE, P256_PUBLIC),
    ] {
        // Its own public key as a verify key changes nothing: it is listed once.
        let codec = codec_with(load(algorithm, private, &[public]).unwrap());
        assert_eq!(kids(&codec), [codec.current_kid().to_owned()]);
        assert!(codec.verify(&signed_by(&codec), now()).is_ok());
        // Public key only, on another instance: verifies what the first one signed.
        let other = codec_with(load(algorithm, &pair(algorithm).private, &[public]).unwrap());
        assert!(other.verify(&signed_by(&codec), now()).is_ok());
    }
}

#[test]
fn a_compressed_p256_public_key_is_the_same_key() {
    let compressed = load(Es256, &pair(Es256).private, &[P256_PUBLIC_COMPRESSED]).unwrap();
    let uncompressed = load(Es256, &pair(Es256).private, &[P256_PUBLIC]).unwrap();
    let (compressed, uncompressed) = (codec_with(compressed), codec_with(uncompressed));
    assert_eq!(kids(&compressed)[1], kids(&uncompressed)[1]);
    assert_eq!(compressed.jwks_json().len(), uncompressed.jwks_json().len());
    let signer = codec_with(load(Es256, P256_PRIVATE, &[]).unwrap());
    assert_eq!(kids(&compressed)[1], signer.current_kid());
    assert!(compressed.verify(&signed_by(&signer), now()).is_ok());
}

#[test]
fn generated_key_pairs_load_back_and_are_fresh() {
    for algorithm in BOTH {
        let (private, public) = generate_keypair(algorithm).unwrap();
        assert!(
            private.starts_with("-----BEGIN PRIVATE KEY-----\n"),
            "{algorithm}"
        );
        assert!(private.ends_with("-----END PRIVATE KEY-----\n"));
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(!private.contains('\r') && !public.contains('\r'));
        let signer = codec_with(load(algorithm, &private, &[]).unwrap());
        let verifier = codec_with(load(algorithm, &pair(algorithm).private, &[&public]).unwrap());
        assert!(verifier.verify(&signed_by(&signer), now()).is_ok());
        assert_eq!(kids(&verifier)[1], signer.current_kid());
        let (again, _) = generate_keypair(algorithm).unwrap();
        assert_ne!(private, again);
    }
}

#[test]
fn private_key_problems_are_named() {
    let two_blocks = format!("{ED25519_PRIVATE}{ED25519_PUBLIC}");
    let garbage = "-----BEGIN PRIVATE KEY-----\nAAECAwQFBgcICQ==\n-----END PRIVATE KEY-----\n";
    for (algorithm, pem, expected) in [
        (EdDsa, "", PemKeyError::NotPem),
        (EdDsa, "just text", PemKeyError::NotPem),
        (EdDsa, two_blocks.as_str(), PemKeyError::BlockCount(2)),
        (Es256, P256_SEC1_PRIVATE, PemKeyError::Sec1PrivateKey),
        (EdDsa, ED25519_ENCRYPTED, PemKeyError::EncryptedPrivateKey),
        (
            EdDsa,
            ED25519_PUBLIC,
            PemKeyError::WrongLabel {
                expected: "PRIVATE KEY",
                found: "PUBLIC KEY".to_owned(),
            },
        ),
        (
            EdDsa,
            P256_PRIVATE,
            PemKeyError::AlgorithmMismatch {
                expected: EdDsa,
                found: Es256,
            },
        ),
        (
            Es256,
            ED25519_PRIVATE,
            PemKeyError::AlgorithmMismatch {
                expected: Es256,
                found: EdDsa,
            },
        ),
        (Es256, P384_PRIVATE, PemKeyError::Invalid(Es256)),
        (EdDsa, garbage, PemKeyError::Invalid(EdDsa)),
    ] {
        assert_eq!(private_problem(algorithm, pem), expected, "{pem}");
    }
}

fn public_pem(der: &[u8]) -> String {
    pem::encode(&pem::Pem::new("PUBLIC KEY", der))
}

fn with_trailing_byte(public: &str) -> String {
    let mut der = pem::parse(public).unwrap().into_contents();
    der.push(0);
    public_pem(&der)
}

#[test]
fn verify_key_problems_name_the_entry() {
    use PemKeyError::{AlgorithmMismatch, Invalid, NotPem, PrivateWhereOnlyPublic};
    let (ed, es) = (ED25519_PRIVATE, P256_PRIVATE);
    // A bare Ed25519 key in a PUBLIC KEY block, 32 raw bytes that open like a DER
    // SEQUENCE, and SPKIs with a byte appended.
    let raw = public_pem(&[0xbe; 32]);
    let looks_like_der = public_pem(&[[0x30, 0x1e].as_slice(), &[7; 30]].concat());
    let trailing_ed = with_trailing_byte(ED25519_PUBLIC);
    let trailing_p256 = with_trailing_byte(P256_PUBLIC);
    let ed_for_es = AlgorithmMismatch {
        expected: Es256,
        found: EdDsa,
    };
    let es_for_ed = AlgorithmMismatch {
        expected: EdDsa,
        found: Es256,
    };
    let cases: Vec<(AsymmetricAlgorithm, &str, Vec<&str>, usize, PemKeyError)> = vec![
        (
            EdDsa,
            ed,
            vec![ED25519_PUBLIC, ED25519_PRIVATE],
            2,
            PrivateWhereOnlyPublic,
        ),
        (
            Es256,
            es,
            vec![P256_SEC1_PRIVATE],
            1,
            PrivateWhereOnlyPublic,
        ),
        (EdDsa, ed, vec![P256_PUBLIC], 1, es_for_ed),
        (Es256, es, vec![P256_PUBLIC, ED25519_PUBLIC], 2, ed_for_es),
        (Es256, es, vec![P384_PUBLIC], 1, Invalid(Es256)),
        (EdDsa, ed, vec![&raw], 1, Invalid(EdDsa)),
        (EdDsa, ed, vec![&looks_like_der], 1, Invalid(EdDsa)),
        (EdDsa, ed, vec![&trailing_ed], 1, Invalid(EdDsa)),
        (Es256, es, vec![&trailing_p256], 1, Invalid(Es256)),
        (EdDsa, ed, vec!["not a key"], 1, NotPem),
    ];
    for (algorithm, private, verify, position, problem) in cases {
        assert_eq!(
            verify_problem(algorithm, private, &verify),
            (position, problem),
            "{verify:?}"
        );
    }
}

#[test]
fn errors_and_debug_output_never_show_key_material() {
    let mut shown = Vec::new();
    for (algorithm, private, verify) in [
        (EdDsa, P256_PRIVATE, vec![]),
        (Es256, P256_PRIVATE, vec![ED25519_PRIVATE]),
        (Es256, P256_SEC1_PRIVATE, vec![]),
        (Es256, P256_PRIVATE, vec![P384_PUBLIC]),
        (EdDsa, ED25519_ENCRYPTED, vec![]),
    ] {
        shown.push(load(algorithm, private, &verify).unwrap_err().to_string());
    }
    let key = load(Es256, P256_PRIVATE, &[P256_PUBLIC]).unwrap();
    shown.push(format!("{key:?}"));
    shown.push(format!("{:?}", codec_with(key)));
    for text in &shown {
        for pem in [
            ED25519_PRIVATE,
            P256_PRIVATE,
            P256_SEC1_PRIVATE,
            ED25519_ENCRYPTED,
        ] {
            for line in pem.lines().filter(|l| !l.starts_with("-----")) {
                assert!(!text.contains(&line[..16]), "{text} shows key material");
            }
        }
    }
    assert!(shown[0].starts_with("JWT_PRIVATE_KEY: "), "{}", shown[0]);
    assert!(
        shown[1].starts_with("JWT_VERIFY_KEYS (entry 1): "),
        "{}",
        shown[1]
    );
    assert!(shown[5].contains("REDACTED"), "{}", shown[5]);
}
