//! Datasets and files: a dataset of chat conversations, samples added from `Message`s, a JSON
//! Lines file of samples uploaded in one call with a progress bar, and the samples listed back.
//!
//! ```sh
//! cargo run --example dataset_upload --features platform
//! ```
//!
//! Without `FRIENDLI_TOKEN` it runs against the embedded mock server, which also plays the
//! storage server the upload goes to. With a token, set `FRIENDLI_PROJECT_ID` to your project.

mod common;

use std::io::Write;

use friendli::datasets::{Sample, SamplesExt, to_jsonl};
use friendli::files::{Progress, Stage};
use friendli::operation::FilePart;
use friendli::prelude::*;
use friendli::types::DedicatedDatasetModalityTypeKnown::Text;
use friendli::types::{CreateDatasetRequest, DedicatedDatasetModality};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;
    let project_id =
        std::env::var("FRIENDLI_PROJECT_ID").unwrap_or_else(|_| "mock-project".to_owned());

    // A dataset of text conversations, with a split to hold them.
    let modality = DedicatedDatasetModality {
        input_modals: vec![Text.into()],
        output_modals: vec![Text.into()],
    };
    let request = CreateDatasetRequest::builder()
        .name("friendli-rs-example")
        .project_id(project_id.clone())
        .modality(modality);
    let dataset = client.dataset().create_dataset(request).await?;
    let split = client.dataset().create_split(&dataset.id, "train").await?;
    println!(
        "dataset {:?} ({}), split {:?} ({})",
        dataset.name, dataset.id, split.name, split.id
    );

    // Samples straight from chat messages.
    let conversations = vec![
        vec![
            Message::system("You answer with a number only."),
            Message::user("What is 3 + 6?"),
            Message::assistant("9"),
        ],
        vec![
            Message::user("Say hello in Korean."),
            Message::assistant("안녕하세요"),
        ],
    ];
    let added = client
        .dataset()
        .add_conversations(&dataset.id, &split.id, conversations)
        .await?;
    for stored in added.decode_samples()? {
        println!(
            "added {} ({} messages)",
            stored.id,
            stored.sample.messages.len()
        );
    }

    // Many samples as a JSON Lines file, uploaded in one call: hashed, streamed to the storage
    // server from disk, completed.
    let samples: Vec<Sample> = (1..=20_000)
        .map(|n| {
            Sample::new([
                Message::user(format!("What is {n} + {n}?")),
                Message::assistant((2 * n).to_string()),
            ])
        })
        .collect();
    let path = std::env::temp_dir().join(format!("friendli-example-{}.jsonl", std::process::id()));
    std::fs::write(&path, to_jsonl(&samples)?)?;
    let info = client
        .file()
        .upload(&path, &project_id)
        .on_progress(progress_bar)
        .await?;
    println!(
        "file {} is {}: {} bytes, {}",
        info.id,
        info.status.wire_name(),
        info.size,
        info.digest
    );

    // The same file as samples of the split (also streamed from disk).
    let uploaded = client
        .dataset()
        .upload_samples_file(&dataset.id, &split.id, FilePart::path(&path))
        .await?;
    println!("{} samples added from the file", uploaded.samples.len());
    std::fs::remove_file(&path)?;

    // The first samples of the split, decoded back into messages.
    let page = client
        .dataset()
        .list_samples(&dataset.id, &split.id)
        .limit(4)
        .await?;
    for stored in page.decode_samples()? {
        let turns: Vec<String> = stored
            .sample
            .messages
            .iter()
            .map(|m| serde_json::to_value(m).map(|v| v["content"].to_string()))
            .collect::<Result<_, _>>()?;
        println!("{}: {}", stored.sample_id(), turns.join(" → "));
    }
    if page.next_cursor.is_some() {
        println!("… and more (follow next_cursor)");
    }

    client.dataset().delete_dataset(&dataset.id).await?;
    println!("deleted the example dataset");
    Ok(())
}

/// A progress bar on one line per stage.
fn progress_bar(progress: Progress) {
    const WIDTH: usize = 30;
    let filled = ((progress.fraction() * WIDTH as f64) as usize).min(WIDTH);
    let stage = match progress.stage {
        Stage::Hashing => "hashing",
        Stage::Sending => "sending",
        _ => "working",
    };
    let mut out = std::io::stdout().lock();
    let _ = write!(
        out,
        "\r{stage} [{}{}] {:5.1}% {:>9}/{} bytes",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled),
        progress.fraction() * 100.0,
        progress.done,
        progress.total
    );
    if progress.done == progress.total {
        let _ = writeln!(out);
    }
    let _ = out.flush();
}
