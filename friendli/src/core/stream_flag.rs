//! Serialising a request body with its top-level `stream` field set by the call.
//!
//! `complete()` and `stream()` of an operation with an event-stream twin send the same body type
//! and differ in `"stream"`. Rather than knowing every body type (some are unions of several
//! structs), the call serialises the body through [`WithStream`], a serializer that passes
//! everything to `serde_json` except at the top level, where it leaves out any `stream` field of
//! the body and writes its own (and, when the call does not stream, leaves out `stream_options`,
//! which only streams read). No intermediate value is built.

use serde::ser::{Impossible, Serialize, SerializeMap, SerializeStruct, Serializer};

/// A serializer that writes the top-level object of a value with `"stream": <flag>` (or as it is,
/// with `None`).
pub(crate) struct WithStream<S> {
    inner: S,
    stream: Option<bool>,
}

impl<S> WithStream<S> {
    pub(crate) fn new(inner: S, stream: Option<bool>) -> Self {
        WithStream { inner, stream }
    }
}

/// The top-level object being written.
pub(crate) struct Object<M> {
    inner: M,
    stream: Option<bool>,
    /// The value of the entry whose key was `stream` is skipped.
    skip_value: bool,
}

impl<M> Object<M> {
    /// Whether the body's own field `key` is left out.
    fn skips(&self, key: &str) -> bool {
        match self.stream {
            None => false,
            Some(stream) => key == "stream" || (key == "stream_options" && !stream),
        }
    }
}

macro_rules! delegate {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<Self::Ok, Self::Error> {
            self.inner.$method($($arg),*)
        })*
    };
}

impl<S: Serializer> Serializer for WithStream<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = S::SerializeSeq;
    type SerializeTuple = S::SerializeTuple;
    type SerializeTupleStruct = S::SerializeTupleStruct;
    type SerializeTupleVariant = S::SerializeTupleVariant;
    type SerializeMap = Object<S::SerializeMap>;
    type SerializeStruct = Object<S::SerializeStruct>;
    type SerializeStructVariant = S::SerializeStructVariant;

    delegate! {
        serialize_bool(v: bool),
        serialize_i8(v: i8),
        serialize_i16(v: i16),
        serialize_i32(v: i32),
        serialize_i64(v: i64),
        serialize_u8(v: u8),
        serialize_u16(v: u16),
        serialize_u32(v: u32),
        serialize_u64(v: u64),
        serialize_f32(v: f32),
        serialize_f64(v: f64),
        serialize_char(v: char),
        serialize_str(v: &str),
        serialize_bytes(v: &[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(name: &'static str),
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str),
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Self::Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        // A newtype around the body is the body.
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Self::Error> {
        self.inner
            .serialize_newtype_variant(name, index, variant, value)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        self.inner.serialize_seq(len)
    }

    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, Self::Error> {
        self.inner.serialize_tuple(len)
    }

    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        self.inner.serialize_tuple_struct(name, len)
    }

    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        self.inner
            .serialize_tuple_variant(name, index, variant, len)
    }

    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        Ok(Object {
            inner: self
                .inner
                .serialize_map(len.map(|n| n + usize::from(self.stream.is_some())))?,
            stream: self.stream,
            skip_value: false,
        })
    }

    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        Ok(Object {
            inner: self
                .inner
                .serialize_struct(name, len + usize::from(self.stream.is_some()))?,
            stream: self.stream,
            skip_value: false,
        })
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        self.inner
            .serialize_struct_variant(name, index, variant, len)
    }
}

impl<M: SerializeStruct> SerializeStruct for Object<M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        if self.skips(key) {
            return Ok(());
        }
        self.inner.serialize_field(key, value)
    }

    fn skip_field(&mut self, key: &'static str) -> Result<(), Self::Error> {
        self.inner.skip_field(key)
    }

    fn end(mut self) -> Result<Self::Ok, Self::Error> {
        if let Some(stream) = self.stream {
            self.inner.serialize_field("stream", &stream)?;
        }
        self.inner.end()
    }
}

impl<M: SerializeMap> SerializeMap for Object<M> {
    type Ok = M::Ok;
    type Error = M::Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Self::Error> {
        self.skip_value = self.stream.is_some()
            && match key.serialize(KeyName) {
                Ok(Some(name)) => self.skips(&name),
                _ => false,
            };
        if self.skip_value {
            return Ok(());
        }
        self.inner.serialize_key(key)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Self::Error> {
        if std::mem::take(&mut self.skip_value) {
            return Ok(());
        }
        self.inner.serialize_value(value)
    }

    fn end(mut self) -> Result<Self::Ok, Self::Error> {
        if let Some(stream) = self.stream {
            self.inner.serialize_entry("stream", &stream)?;
        }
        self.inner.end()
    }
}

/// The text of a map key that is a string.
struct KeyName;

#[derive(Debug)]
struct NotAString;

impl std::fmt::Display for NotAString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a string key")
    }
}

impl std::error::Error for NotAString {}

impl serde::ser::Error for NotAString {
    fn custom<T: std::fmt::Display>(_msg: T) -> Self {
        NotAString
    }
}

macro_rules! not_a_string {
    ($($method:ident($($ty:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $ty),*) -> Result<Option<String>, NotAString> {
            Ok(None)
        })*
    };
}

impl Serializer for KeyName {
    type Ok = Option<String>;
    type Error = NotAString;
    type SerializeSeq = Impossible<Option<String>, NotAString>;
    type SerializeTuple = Impossible<Option<String>, NotAString>;
    type SerializeTupleStruct = Impossible<Option<String>, NotAString>;
    type SerializeTupleVariant = Impossible<Option<String>, NotAString>;
    type SerializeMap = Impossible<Option<String>, NotAString>;
    type SerializeStruct = Impossible<Option<String>, NotAString>;
    type SerializeStructVariant = Impossible<Option<String>, NotAString>;

    fn serialize_str(self, v: &str) -> Result<Option<String>, NotAString> {
        Ok(Some(v.to_owned()))
    }

    not_a_string! {
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Option<String>, NotAString> {
        Ok(None)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Option<String>, NotAString> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Option<String>, NotAString> {
        Ok(None)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAString> {
        Err(NotAString)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAString> {
        Err(NotAString)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAString> {
        Err(NotAString)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAString> {
        Err(NotAString)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAString> {
        Err(NotAString)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, NotAString> {
        Err(NotAString)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAString> {
        Err(NotAString)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn with_stream<T: Serialize>(value: &T, stream: bool) -> Value {
        let mut out = Vec::new();
        value
            .serialize(WithStream::new(
                &mut serde_json::Serializer::new(&mut out),
                Some(stream),
            ))
            .unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[derive(serde::Serialize)]
    struct Body {
        model: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        stream: Option<bool>,
        nested: Nested,
    }

    #[derive(serde::Serialize)]
    struct Nested {
        stream: bool,
    }

    #[derive(serde::Serialize)]
    #[serde(untagged)]
    enum Union {
        A(Body),
    }

    #[test]
    fn the_top_level_stream_field_is_replaced_and_nested_ones_kept() {
        for given in [None, Some(false), Some(true)] {
            let body = Body {
                model: "m".into(),
                stream: given,
                nested: Nested { stream: false },
            };
            let value = with_stream(&body, true);
            assert_eq!(
                value,
                json!({"model": "m", "nested": {"stream": false}, "stream": true})
            );
            // One `stream` key, not two.
            let text = {
                let mut out = Vec::new();
                body.serialize(WithStream::new(
                    &mut serde_json::Serializer::new(&mut out),
                    Some(true),
                ))
                .unwrap();
                String::from_utf8(out).unwrap()
            };
            assert_eq!(text.matches("\"stream\"").count(), 2, "{text}");
        }
    }

    #[test]
    fn without_a_flag_the_body_is_written_as_it_is() {
        let body = json!({"model": "m", "stream": true, "stream_options": {"include_usage": true}});
        let mut out = Vec::new();
        body.serialize(WithStream::new(
            &mut serde_json::Serializer::new(&mut out),
            None,
        ))
        .unwrap();
        assert_eq!(serde_json::from_slice::<Value>(&out).unwrap(), body);
    }

    #[test]
    fn stream_options_are_left_out_when_the_call_does_not_stream() {
        let body = json!({"model": "m", "stream_options": {"include_usage": true}});
        assert_eq!(
            with_stream(&body, false),
            json!({"model": "m", "stream": false})
        );
        assert_eq!(
            with_stream(&body, true),
            json!({"model": "m", "stream": true, "stream_options": {"include_usage": true}})
        );
    }

    #[test]
    fn unions_and_maps_get_the_flag_too() {
        let union = Union::A(Body {
            model: "m".into(),
            stream: Some(true),
            nested: Nested { stream: true },
        });
        assert_eq!(with_stream(&union, false)["stream"], json!(false));
        let map = json!({"model": "m", "stream": true});
        assert_eq!(
            with_stream(&map, false),
            json!({"model": "m", "stream": false})
        );
    }
}
