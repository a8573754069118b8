//! JSON request bodies, refused with the path of the wrong field (`tiles[2].layout.w`).

use crate::error::ApiError;
use serde::de::DeserializeOwned;

/// Parses a JSON body; a bad one is a 400 `invalid_body` naming the field.
pub(super) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        ApiError::invalid("invalid_body", field, e.into_inner().to_string())
    })
}
