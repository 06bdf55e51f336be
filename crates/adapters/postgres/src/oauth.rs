//! `OAuthIdentityRepository` on `oauth_identities`.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use portcullis_domain::oauth::{OAuthIdentity, ProviderName};
use portcullis_domain::ports::OAuthIdentityRepository;
use portcullis_domain::{StoreError, UserId};

use crate::error::settle;
use crate::pool::{PgPool, checkout};
use crate::rows::OAuthIdentityRow;
use crate::schema::oauth_identities;

/// Links between provider accounts and local users in `oauth_identities`, unique by the
/// primary key (provider, subject).
#[derive(Clone)]
pub struct PgOAuthIdentities {
    pool: PgPool,
}

impl PgOAuthIdentities {
    /// A repository on this pool.
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }
}

fn to_identities(rows: Vec<OAuthIdentityRow>) -> Result<Vec<OAuthIdentity>, StoreError> {
    rows.into_iter()
        .map(|row| OAuthIdentity::try_from(row).map_err(StoreError::from))
        .collect()
}

#[async_trait]
impl OAuthIdentityRepository for PgOAuthIdentities {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OAuthIdentityRepository.find", otel.kind = "client", db.system.name = "postgresql"))]
    async fn find(
        &self,
        provider: ProviderName,
        subject: &str,
    ) -> Result<Option<OAuthIdentity>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = oauth_identities::table
            .find((provider.as_str(), subject))
            .select(OAuthIdentityRow::as_select())
            .first::<OAuthIdentityRow>(&mut conn)
            .await
            .optional();
        let row = settle(&mut conn, "loading an OAuth identity", result).await?;
        Ok(row.map(OAuthIdentity::try_from).transpose()?)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OAuthIdentityRepository.link", otel.kind = "client", db.system.name = "postgresql"))]
    async fn link(&self, identity: &OAuthIdentity) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        // ON CONFLICT DO NOTHING: a taken (provider, subject) is an answer, and the
        // first link is kept, even between concurrent callers.
        let result = diesel::insert_into(oauth_identities::table)
            .values(OAuthIdentityRow::from(identity))
            .on_conflict((oauth_identities::provider, oauth_identities::subject))
            .do_nothing()
            .execute(&mut conn)
            .await;
        let inserted = settle(&mut conn, "linking an OAuth identity", result).await?;
        Ok(inserted == 1)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OAuthIdentityRepository.list_for_user", otel.kind = "client", db.system.name = "postgresql"))]
    async fn list_for_user(&self, user: UserId) -> Result<Vec<OAuthIdentity>, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = oauth_identities::table
            .select(OAuthIdentityRow::as_select())
            .filter(oauth_identities::user_id.eq(user.as_uuid()))
            .order((oauth_identities::provider, oauth_identities::subject))
            .load::<OAuthIdentityRow>(&mut conn)
            .await;
        let rows = settle(&mut conn, "listing a user's OAuth identities", result).await?;
        to_identities(rows)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OAuthIdentityRepository.unlink", otel.kind = "client", db.system.name = "postgresql"))]
    async fn unlink(&self, user: UserId, provider: ProviderName) -> Result<bool, StoreError> {
        let mut conn = checkout(&self.pool).await?;
        let result = diesel::delete(
            oauth_identities::table
                .filter(oauth_identities::user_id.eq(user.as_uuid()))
                .filter(oauth_identities::provider.eq(provider.as_str())),
        )
        .execute(&mut conn)
        .await;
        let deleted = settle(&mut conn, "unlinking an OAuth identity", result).await?;
        Ok(deleted > 0)
    }
}
