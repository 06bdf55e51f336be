//! Key rotation without downtime: add the new public key as verify-only everywhere,
//! switch signing to it with the old public key as a verify key, drop the old key after
//! the access-token lifetime.

use portcullis_domain::ports::AccessTokenCodec;

use super::{BOTH, assert_refused, codec, kids, pair, signed_by};
use crate::jwt::tests::now;
use crate::jwt::wire::Refusal;

#[test]
fn rotation_keeps_old_tokens_until_the_old_key_is_dropped() {
    for algorithm in BOTH {
        let (a, b) = (pair(algorithm), pair(algorithm));

        // Before: A signs.
        let before = codec(algorithm, &a, &[]);
        let kid_a = before.current_kid().to_owned();
        let token_a = signed_by(&before);
        assert_eq!(kids(&before), std::slice::from_ref(&kid_a));

        // During the overlap: B signs, A still verifies.
        let during = codec(algorithm, &b, &[&a]);
        let kid_b = during.current_kid().to_owned();
        assert_ne!(kid_a, kid_b);
        let token_b = signed_by(&during);
        assert!(
            during.verify(&token_a, now()).is_ok(),
            "{algorithm}: A's token"
        );
        assert!(
            during.verify(&token_b, now()).is_ok(),
            "{algorithm}: B's token"
        );
        assert_eq!(
            kids(&during),
            [kid_b.clone(), kid_a.clone()],
            "current first"
        );

        // After the access-token lifetime: A is dropped.
        let after = codec(algorithm, &b, &[]);
        assert_refused(&after, &token_a, Refusal::UnknownKid);
        assert!(after.verify(&token_b, now()).is_ok());
        assert_eq!(kids(&after), [kid_b]);
    }
}

#[test]
fn an_instance_not_yet_switched_accepts_tokens_of_the_new_key() {
    // Step 1 of the runbook: every instance learns B before any of them signs with it,
    // so a token from an instance that already switched is never refused by a laggard.
    for algorithm in BOTH {
        let (a, b) = (pair(algorithm), pair(algorithm));
        let laggard = codec(algorithm, &a, &[&b]);
        let switched = codec(algorithm, &b, &[&a]);
        assert!(laggard.verify(&signed_by(&switched), now()).is_ok());
        assert!(switched.verify(&signed_by(&laggard), now()).is_ok());
        assert_eq!(laggard.current_kid(), kids(&laggard)[0]);
        assert_eq!(kids(&laggard)[1], switched.current_kid());
    }
}

#[test]
fn several_previous_keys_keep_their_order_and_duplicates_are_listed_once() {
    for algorithm in BOTH {
        let (a, b, c) = (pair(algorithm), pair(algorithm), pair(algorithm));
        let ring = codec(algorithm, &c, &[&b, &a, &b, &c]);
        let expected = [
            ring.current_kid().to_owned(),
            codec(algorithm, &b, &[]).current_kid().to_owned(),
            codec(algorithm, &a, &[]).current_kid().to_owned(),
        ];
        assert_eq!(kids(&ring), expected);
        for old in [&a, &b] {
            let token = signed_by(&codec(algorithm, old, &[]));
            assert!(ring.verify(&token, now()).is_ok());
        }
    }
}

#[test]
fn a_token_of_a_key_never_configured_is_refused() {
    for algorithm in BOTH {
        let ring = codec(algorithm, &pair(algorithm), &[&pair(algorithm)]);
        let stranger = codec(algorithm, &pair(algorithm), &[]);
        assert_refused(&ring, &signed_by(&stranger), Refusal::UnknownKid);
    }
}
