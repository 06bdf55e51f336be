//! Who may do what to whom: the one place that decides (SPEC §5 "who" column).
//!
//! Handlers ask [`authorize`] with the caller, the action and the target; they never
//! compare roles themselves. A refusal says how to answer: `NotFound` when the caller
//! must not learn whether the target exists, `Forbidden` otherwise.

use portcullis_domain::{Role, UserId};

/// The caller, as far as the policy cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// Who.
    pub id: UserId,
    /// With which role.
    pub role: Role,
}

/// Something done to an account (or to all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create an account for someone else (`POST /users`).
    CreateUser,
    /// List or search accounts (`GET /users`, `GET /users/email/{email}`).
    ListUsers,
    /// Read one account (`GET /users/{id}`).
    ReadUser,
    /// Change name, username, or one's own password (`PUT /users/{id}`).
    UpdateProfile,
    /// Change the email (`PUT /users/{id}` with `email`).
    ChangeEmail,
    /// Change the role (`PUT /users/{id}` with `role`).
    ChangeRole,
    /// Set a password without knowing the current one.
    SetPasswordWithoutCurrent,
    /// Delete an account (`DELETE /users/{id}`).
    DeleteUser,
    /// End every session of an account (`DELETE /users/{id}/sessions`).
    RevokeUserSessions,
    /// Read the audit log.
    ReadAudit,
}

/// A refusal, and how to answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// 404: the caller must not learn whether the target exists.
    NotFound,
    /// 403: the caller knows the target; they may not do this.
    Forbidden,
}

/// Decides whether `actor` may do `action` to `target` (`None` for collection actions).
///
/// # Errors
/// The [`Denial`] to answer with.
pub fn authorize(actor: Actor, action: Action, target: Option<UserId>) -> Result<(), Denial> {
    if actor.role == Role::Admin {
        return Ok(());
    }
    let is_self = target == Some(actor.id);
    match action {
        Action::ReadUser | Action::UpdateProfile | Action::DeleteUser if is_self => Ok(()),
        // Another user's id: indistinguishable from an id that does not exist.
        Action::ReadUser | Action::UpdateProfile | Action::DeleteUser => Err(Denial::NotFound),
        Action::ChangeEmail
        | Action::ChangeRole
        | Action::SetPasswordWithoutCurrent
        | Action::RevokeUserSessions
            if !is_self && target.is_some() =>
        {
            Err(Denial::NotFound)
        }
        Action::CreateUser
        | Action::ListUsers
        | Action::ChangeEmail
        | Action::ChangeRole
        | Action::SetPasswordWithoutCurrent
        | Action::RevokeUserSessions
        | Action::ReadAudit => Err(Denial::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid_for_tests::id;

    mod uuid_for_tests {
        use portcullis_domain::UserId;
        pub fn id(n: u8) -> UserId {
            UserId::parse(&format!("00000000-0000-7000-8000-0000000000{n:02x}")).unwrap()
        }
    }

    const ALL: [Action; 10] = [
        Action::CreateUser,
        Action::ListUsers,
        Action::ReadUser,
        Action::UpdateProfile,
        Action::ChangeEmail,
        Action::ChangeRole,
        Action::SetPasswordWithoutCurrent,
        Action::DeleteUser,
        Action::RevokeUserSessions,
        Action::ReadAudit,
    ];

    /// The whole table: every actor × action × target.
    #[test]
    fn policy_table() {
        let admin = Actor {
            id: id(1),
            role: Role::Admin,
        };
        let user = Actor {
            id: id(2),
            role: Role::User,
        };
        let other = id(3);
        for action in ALL {
            for target in [None, Some(admin.id), Some(user.id), Some(other)] {
                assert_eq!(
                    authorize(admin, action, target),
                    Ok(()),
                    "admin may {action:?} {target:?}"
                );
            }
            let on_self = authorize(user, action, Some(user.id));
            let on_other = authorize(user, action, Some(other));
            let on_admin = authorize(user, action, Some(admin.id));
            let expected_self = match action {
                Action::ReadUser | Action::UpdateProfile | Action::DeleteUser => Ok(()),
                _ => Err(Denial::Forbidden),
            };
            assert_eq!(on_self, expected_self, "user {action:?} self");
            let expected_other = match action {
                Action::CreateUser | Action::ListUsers | Action::ReadAudit => {
                    Err(Denial::Forbidden)
                }
                _ => Err(Denial::NotFound),
            };
            assert_eq!(on_other, expected_other, "user {action:?} other");
            assert_eq!(
                on_admin, expected_other,
                "an admin target looks like any other to a user: {action:?}"
            );
        }
        assert_eq!(
            authorize(user, Action::ListUsers, None),
            Err(Denial::Forbidden)
        );
        assert_eq!(
            authorize(user, Action::ReadAudit, None),
            Err(Denial::Forbidden)
        );
    }
}
