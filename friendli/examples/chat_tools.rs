//! Local function tools on serverless chat completions: `run()` sends the request with the
//! declarations of the registered functions, runs the calls the model makes (arguments decoded
//! into typed structs; calls of one turn run concurrently), sends the results back and asks
//! again until the model answers. Its event stream shows each step.
//!
//! ```sh
//! cargo run --example chat_tools
//! ```

mod common;

use friendli::prelude::*;
use friendli::tools::RunEvent;
use friendli::types::ChatRequest;
use serde::Deserialize;

/// The arguments of both functions; the model sees the JSON Schema derived from this type.
#[derive(Deserialize, schemars::JsonSchema)]
struct CityArgs {
    /// City name, e.g. "Seoul".
    city: String,
}

async fn get_weather(args: CityArgs) -> Result<serde_json::Value, String> {
    let (celsius, sky) = match args.city.as_str() {
        "Seoul" => (21, "clear"),
        "Busan" => (24, "cloudy"),
        other => return Err(format!("no weather station in {other}")),
    };
    Ok(serde_json::json!({ "city": args.city, "celsius": celsius, "sky": sky }))
}

async fn get_timezone(args: CityArgs) -> Result<serde_json::Value, String> {
    match args.city.as_str() {
        "Seoul" | "Busan" => Ok(serde_json::json!({ "city": args.city, "timezone": "Asia/Seoul" })),
        other => Err(format!("unknown city {other}")),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;
    let tools = Tools::new()
        .register("get_weather", "Current weather of a city", get_weather)
        .register("get_timezone", "Time zone of a city", get_timezone);

    let request = ChatRequest::builder()
        .model(common::model())
        .messages(vec![Message::user(
            "Use get_weather and get_timezone to tell me the weather and the time zone of Seoul.",
        )]);

    let mut events = client
        .serverless()
        .chat()
        .run(request, &tools)
        .max_turns(4)
        // A failing function is reported to the model as the call's result, not a failed run.
        .report_tool_errors(true)
        .into_stream();
    while let Some(event) = events.next().await {
        match event? {
            RunEvent::LocalCallStarted { turn, call } => println!(
                "[turn {turn}] the model calls {}({})",
                call.function.name, call.function.arguments
            ),
            RunEvent::LocalCallFinished {
                name,
                output,
                duration,
                ..
            } => println!("[local] {name} -> {output} ({duration:?})"),
            RunEvent::LocalCallFailed { name, error, .. } => {
                println!("[local] {name} failed: {error}")
            }
            RunEvent::Finished(run) => println!(
                "answer after {} turn(s) and {} call(s): {}",
                run.turns,
                run.calls.len(),
                run.result.content().unwrap_or_default()
            ),
            _ => {}
        }
    }
    Ok(())
}
