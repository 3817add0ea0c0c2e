//! Audio transcription on a dedicated endpoint: a short WAV made in memory (or a file you name),
//! transcribed whole, then streamed as it is transcribed.
//!
//! ```sh
//! cargo run --example transcribe --features dedicated
//! FRIENDLI_TOKEN=… FRIENDLI_ENDPOINT_ID=ep-… cargo run --example transcribe --features dedicated -- speech.mp3
//! ```
//!
//! `FRIENDLI_ENDPOINT_ID` names an endpoint that serves a speech-recognition model. Without
//! `FRIENDLI_TOKEN` the embedded mock answers, with a scripted transcript.

mod common;

use std::io::Write;

use friendli::operation::FilePart;
use friendli::prelude::*;
use friendli::types::TranscriptionRequest;
use friendli_mock::{MockServer, Scenario};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, mock) = common::client()?;
    if let Some(mock) = &mock {
        script_the_mock(mock);
    }
    let endpoint =
        std::env::var("FRIENDLI_ENDPOINT_ID").unwrap_or_else(|_| "ep-whisper".to_owned());

    // The audio: a file named on the command line (streamed from disk, never read whole), or a
    // second of a 440 Hz tone.
    let audio = match std::env::args().nth(1) {
        Some(path) => FilePart::path(path),
        None => FilePart::bytes(tone_wav(16_000, 1.0)).file_name("tone.wav"),
    };
    let request = || {
        TranscriptionRequest::builder()
            .model(endpoint.as_str())
            .language("en".to_owned())
    };

    // The whole transcript at once…
    let result = client
        .dedicated()
        .audio()
        .transcribe(request(), audio.clone())
        .await?;
    println!(
        "[{endpoint}] {:?} ({} ms of audio, {} tokens)",
        result.text, result.usage.input_audio_length_ms, result.usage.total_tokens
    );

    // …or as it is transcribed: only the text, piece by piece.
    let mut text = client
        .dedicated()
        .audio()
        .stream(request(), audio)
        .await?
        .text_deltas();
    print!("[{endpoint}] ");
    while let Some(piece) = text.next().await {
        print!("{}", piece?);
        std::io::stdout().flush()?;
    }
    println!();
    Ok(())
}

/// A mono 16-bit PCM WAV file: a 440 Hz sine tone of `seconds` at `rate` samples per second.
fn tone_wav(rate: u32, seconds: f64) -> Vec<u8> {
    let samples = (f64::from(rate) * seconds) as u32;
    let data_len = samples * 2;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // the size of the format chunk
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // one channel
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * 2).to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let t = f64::from(i) / f64::from(rate);
        let sample =
            (f64::from(i16::MAX) * 0.3 * (2.0 * std::f64::consts::PI * 440.0 * t).sin()) as i16;
        wav.extend_from_slice(&sample.to_le_bytes());
    }
    wav
}

/// The mock answers transcriptions from the API document's schemas; here, with a transcript.
fn script_the_mock(mock: &MockServer) {
    let usage = json!({
        "type": "tokens", "input_tokens": 50, "output_tokens": 9, "total_tokens": 59,
        "input_audio_length_ms": 1000, "processed_audio_length_ms": 1000,
    });
    mock.push_for(
        "dedicatedAudioTranscriptions",
        Scenario::json(
            200,
            json!({"text": "A steady tone, and nothing else.", "usage": usage}),
        ),
    );
    let mut transcript = String::new();
    for delta in ["A steady ", "tone, ", "and nothing ", "else."] {
        let event = json!({"type": "transcript.text.delta", "delta": delta});
        transcript.push_str(&format!("data: {event}\n\n"));
    }
    let done = json!({"type": "transcript.text.done", "text": "A steady tone, and nothing else.", "usage": usage});
    transcript.push_str(&format!("data: {done}\n\ndata: [DONE]\n\n"));
    mock.push_for(
        "dedicatedAudioTranscriptionsStream",
        Scenario::transcript(transcript),
    );
}
