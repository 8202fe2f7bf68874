//! PostgreSQL backend.
use crate::*;
#[derive(Debug)] pub struct PostgresStore;
impl PostgresStore { pub async fn open(_url:&str)->Result<Self>{ Ok(Self) } }
