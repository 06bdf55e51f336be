//! User management (`/users`, `/admin/audit`) behind the RBAC policy, and the
//! operator's admin bootstrap.

use portcullis_domain::ports::UserListQuery;
use portcullis_domain::{
    AuditEvent, AuditEventType, AuditFilter, AuditId, ClientInfo, DisplayName, Email,
    PlainPassword, RevokeReason, Role, User, UserId, Username,
};

use crate::account::AccountError;
use crate::authenticate::Principal;
use crate::rbac::{Action, Actor, Denial, authorize};
use crate::service::AuthService;

/// `POST /users`: an account created by an admin.
#[derive(Debug)]
pub struct NewAccount {
    /// Email.
    pub email: Email,
    /// Initial password (checked against the policy here).
    pub password: PlainPassword,
    /// Display name.
    pub name: DisplayName,
    /// Optional username.
    pub username: Option<Username>,
    /// Role (default `user`).
    pub role: Role,
}

/// `PUT /users/{id}`: every field optional; `username: Some(None)` removes it.
#[derive(Debug, Default)]
pub struct AccountUpdate {
    /// New display name.
    pub name: Option<DisplayName>,
    /// New email (admin only).
    pub email: Option<Email>,
    /// New username, or `Some(None)` to remove it.
    pub username: Option<Option<Username>>,
    /// New password.
    pub password: Option<PlainPassword>,
    /// The current password (required when a non-admin changes their own).
    pub current_password: Option<PlainPassword>,
    /// New role (admin only).
    pub role: Option<Role>,
}

/// What `create-admin` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BootstrapOutcome {
    /// A new admin account was created.
    Created,
    /// An existing account was promoted to admin (its password is unchanged).
    Promoted,
    /// The account was already an admin: nothing changed.
    AlreadyAdmin,
}

fn actor(p: &Principal) -> Actor {
    Actor {
        id: p.user_id,
        role: p.role,
    }
}

fn check(p: &Principal, action: Action, target: Option<UserId>) -> Result<(), AccountError> {
    authorize(actor(p), action, target).map_err(|d| match d {
        Denial::NotFound => AccountError::NotFound,
        Denial::Forbidden => AccountError::Forbidden,
    })
}

impl AuthService {
    /// Creates an account (admin).
    ///
    /// # Errors
    /// [`AccountError::Forbidden`], `WeakPassword`, `EmailTaken`, `UsernameTaken`.
    #[tracing::instrument(skip_all, fields(actor = %by.user_id))]
    pub async fn create_user(
        &self,
        by: &Principal,
        new: NewAccount,
        client: &ClientInfo,
    ) -> Result<User, AccountError> {
        check(by, Action::CreateUser, None)?;
        let user = self.insert_account(new).await?;
        self.audit(
            AuditEventType::UserCreated,
            Some(user.id),
            Some(by.user_id),
            client,
            r#"{"via":"admin"}"#.to_owned(),
        )
        .await;
        Ok(user)
    }

    async fn insert_account(&self, new: NewAccount) -> Result<User, AccountError> {
        let password = new
            .password
            .checked(&new.email, new.username.as_ref())
            .map_err(AccountError::WeakPassword)?;
        let now = self.deps.clock.now();
        let user = User {
            id: self.deps.ids.user_id(),
            email: new.email,
            username: new.username,
            name: new.name,
            role: new.role,
            email_verified: false,
            mfa_enabled: false,
            password_hash: Some(self.deps.hasher.hash(&password).await?),
            created_at: now,
            updated_at: now,
        };
        self.deps.users.insert(&user).await?;
        Ok(user)
    }

    /// One page of accounts in a stable order, and the id to continue after.
    ///
    /// # Errors
    /// [`AccountError::Forbidden`] for non-admins.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_users(
        &self,
        by: &Principal,
        mut query: UserListQuery,
    ) -> Result<(Vec<User>, Option<UserId>), AccountError> {
        check(by, Action::ListUsers, None)?;
        let limit = query.limit.clamp(1, 100);
        query.limit = limit + 1;
        let mut users = self.deps.users.list(&query).await?;
        let more = users.len() > limit as usize;
        users.truncate(limit as usize);
        let next = if more {
            users.last().map(|u| u.id)
        } else {
            None
        };
        Ok((users, next))
    }

    /// One account: the caller's own, or any for an admin.
    ///
    /// # Errors
    /// [`AccountError::NotFound`] for unknown ids and, for non-admins, others' ids.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn get_user(&self, by: &Principal, id: UserId) -> Result<User, AccountError> {
        check(by, Action::ReadUser, Some(id))?;
        self.deps
            .users
            .find_by_id(id)
            .await?
            .ok_or(AccountError::NotFound)
    }

    /// An account by email (admin).
    ///
    /// # Errors
    /// [`AccountError::Forbidden`], [`AccountError::NotFound`].
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn get_user_by_email(
        &self,
        by: &Principal,
        email: &Email,
    ) -> Result<User, AccountError> {
        check(by, Action::ListUsers, None)?;
        self.deps
            .users
            .find_by_email(email)
            .await?
            .ok_or(AccountError::NotFound)
    }

    /// Updates an account under the policy: self or admin; email and role admin-only;
    /// a non-admin changing their own password proves the current one. A password
    /// change ends the user's other sessions; a demotion ends all of them, so the
    /// former admin's tokens stop carrying the admin role at once.
    ///
    /// # Errors
    /// [`AccountError`]: `NotFound`, `Forbidden`, `InvalidCurrentPassword`,
    /// `WeakPassword`, `EmailTaken`, `UsernameTaken`, `LastAdmin`.
    #[tracing::instrument(skip_all, fields(actor = %by.user_id, target = %id))]
    pub async fn update_user(
        &self,
        by: &Principal,
        id: UserId,
        update: AccountUpdate,
        client: &ClientInfo,
    ) -> Result<User, AccountError> {
        check(by, Action::UpdateProfile, Some(id))?;
        let before = self
            .deps
            .users
            .find_by_id(id)
            .await?
            .ok_or(AccountError::NotFound)?;
        let mut user = before.clone();
        if let Some(email) = update.email.filter(|e| *e != before.email) {
            check(by, Action::ChangeEmail, Some(id))?;
            user.email = email;
            user.email_verified = false;
        }
        if let Some(role) = update.role.filter(|r| *r != before.role) {
            check(by, Action::ChangeRole, Some(id))?;
            user.role = role;
        }
        if let Some(name) = update.name {
            user.name = name;
        }
        if let Some(username) = update.username {
            user.username = username;
        }
        let password_changed = update.password.is_some();
        if let Some(new) = update.password {
            if check(by, Action::SetPasswordWithoutCurrent, Some(id)).is_err() {
                let current = update
                    .current_password
                    .ok_or(AccountError::InvalidCurrentPassword)?;
                self.check_password(Some(&before), &current)
                    .await?
                    .ok_or(AccountError::InvalidCurrentPassword)?;
            }
            let new = new
                .checked(&user.email, user.username.as_ref())
                .map_err(AccountError::WeakPassword)?;
            user.password_hash = Some(self.deps.hasher.hash(&new).await?);
        }
        user.updated_at = self.deps.clock.now();
        self.deps.users.update(&user).await?;

        let actor_id = (by.user_id != id).then_some(by.user_id);
        if before.role == Role::Admin && user.role != Role::Admin {
            self.end_user_sessions(id, None, RevokeReason::AdminRevoked)
                .await?;
        } else if password_changed {
            let keep = (by.user_id == id).then_some(by.session_id);
            self.end_user_sessions(id, keep, RevokeReason::PasswordChanged)
                .await?;
        }
        if password_changed {
            self.audit(
                AuditEventType::PasswordChanged,
                Some(id),
                actor_id,
                client,
                r#"{"via":"users"}"#.to_owned(),
            )
            .await;
        }
        if before.role != user.role {
            let details = format!(
                r#"{{"from":"{}","to":"{}"}}"#,
                before.role.as_str(),
                user.role.as_str()
            );
            self.audit(
                AuditEventType::RoleChanged,
                Some(id),
                actor_id,
                client,
                details,
            )
            .await;
        }
        let mut fields = Vec::new();
        for (changed, name) in [
            (before.name != user.name, "name"),
            (before.email != user.email, "email"),
            (before.username != user.username, "username"),
        ] {
            if changed {
                fields.push(format!("\"{name}\""));
            }
        }
        if !fields.is_empty() {
            let details = format!(r#"{{"fields":[{}]}}"#, fields.join(","));
            self.audit(
                AuditEventType::UserUpdated,
                Some(id),
                actor_id,
                client,
                details,
            )
            .await;
        }
        Ok(user)
    }

    /// Deletes an account: self or admin; never the last admin.
    ///
    /// # Errors
    /// [`AccountError::NotFound`], [`AccountError::LastAdmin`].
    #[tracing::instrument(skip_all, fields(actor = %by.user_id, target = %id))]
    pub async fn delete_user(
        &self,
        by: &Principal,
        id: UserId,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        check(by, Action::DeleteUser, Some(id))?;
        let user = self
            .deps
            .users
            .find_by_id(id)
            .await?
            .ok_or(AccountError::NotFound)?;
        self.remove_account(&user, (by.user_id != id).then_some(by.user_id), client)
            .await
    }

    /// Ends every session of an account (admin).
    ///
    /// # Errors
    /// [`AccountError::Forbidden`] for non-admins, [`AccountError::NotFound`].
    #[tracing::instrument(skip_all, fields(actor = %by.user_id, target = %id))]
    pub async fn revoke_user_sessions(
        &self,
        by: &Principal,
        id: UserId,
        client: &ClientInfo,
    ) -> Result<(), AccountError> {
        check(by, Action::RevokeUserSessions, Some(id))?;
        if self.deps.users.find_by_id(id).await?.is_none() {
            return Err(AccountError::NotFound);
        }
        let ended = self
            .end_user_sessions(id, None, RevokeReason::AdminRevoked)
            .await?;
        self.deps.refresh_tokens.revoke_user(id).await?;
        self.audit(
            AuditEventType::SessionRevoked,
            Some(id),
            Some(by.user_id),
            client,
            format!(r#"{{"all":true,"sessions":{}}}"#, ended.len()),
        )
        .await;
        Ok(())
    }

    /// Audit events, newest first, and the id to continue before (admin).
    ///
    /// # Errors
    /// [`AccountError::Forbidden`] for non-admins.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_audit(
        &self,
        by: &Principal,
        mut filter: AuditFilter,
    ) -> Result<(Vec<AuditEvent>, Option<AuditId>), AccountError> {
        check(by, Action::ReadAudit, None)?;
        let limit = filter.limit.clamp(1, 100);
        filter.limit = limit + 1;
        let mut events = self.deps.audit.list(&filter).await?;
        let more = events.len() > limit as usize;
        events.truncate(limit as usize);
        let next = if more {
            events.last().map(|e| e.id)
        } else {
            None
        };
        Ok((events, next))
    }

    /// `portcullis create-admin`: creates the account as an admin, or promotes an
    /// existing one (leaving its password alone). Idempotent.
    ///
    /// # Errors
    /// `WeakPassword` when creating with a password that breaks the policy.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn bootstrap_admin(
        &self,
        email: Email,
        name: DisplayName,
        password: PlainPassword,
    ) -> Result<BootstrapOutcome, AccountError> {
        let client = ClientInfo::default();
        // Twice at most: another instance may create the same account concurrently.
        for _ in 0..2 {
            if let Some(mut user) = self.deps.users.find_by_email(&email).await? {
                if user.role == Role::Admin {
                    return Ok(BootstrapOutcome::AlreadyAdmin);
                }
                user.role = Role::Admin;
                user.updated_at = self.deps.clock.now();
                self.deps.users.update(&user).await?;
                let details = r#"{"from":"user","to":"admin","via":"cli"}"#.to_owned();
                self.audit(
                    AuditEventType::RoleChanged,
                    Some(user.id),
                    None,
                    &client,
                    details,
                )
                .await;
                return Ok(BootstrapOutcome::Promoted);
            }
            let new = NewAccount {
                email: email.clone(),
                password: password.clone(),
                name: name.clone(),
                username: None,
                role: Role::Admin,
            };
            match self.insert_account(new).await {
                Ok(user) => {
                    let details = r#"{"via":"cli"}"#.to_owned();
                    self.audit(
                        AuditEventType::UserCreated,
                        Some(user.id),
                        None,
                        &client,
                        details,
                    )
                    .await;
                    return Ok(BootstrapOutcome::Created);
                }
                Err(AccountError::EmailTaken) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(AccountError::EmailTaken)
    }
}
