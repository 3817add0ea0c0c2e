//! Local function tools, the loop done for you: `run()` sends the request, runs the functions the
//! model calls (typed handlers; several in one turn run concurrently), sends the results back and
//! asks again until the model answers. The streaming flavour shows each step.
//!
//! ```sh
//! cargo run --example local_tools
//! ```

mod common;

use friendli::prelude::*;
use friendli::tools::RunEvent;
use serde::Deserialize;

/// The arguments of `get_weather`; the model sees the JSON Schema derived from this type.
#[derive(Deserialize, schemars::JsonSchema)]
struct WeatherArgs {
    /// City name, e.g. "Seoul".
    city: String,
    /// "celsius" or "fahrenheit".
    unit: Option<String>,
}

async fn get_weather(args: WeatherArgs) -> Result<serde_json::Value, String> {
    let celsius = match args.city.as_str() {
        "Seoul" => 21,
        "Busan" => 24,
        other => return Err(format!("no weather station in {other}")),
    };
    let (value, unit) = match args.unit.as_deref() {
        Some("fahrenheit") => (celsius * 9 / 5 + 32, "°F"),
        _ => (celsius, "°C"),
    };
    Ok(
        serde_json::json!({ "city": args.city, "temperature": format!("{value}{unit}"), "sky": "clear" }),
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _mock) = common::client()?;
    let tools = Tools::new().register("get_weather", "Current weather of a city", get_weather);

    let request = ToolAssistedChatRequest::builder()
        .model(common::model())
        .messages(vec![Message::user(
            r#"What's the weather in Seoul? Call get_weather with {"city": "Seoul"}."#,
        )])
        .tools(vec![ToolAssistedChatTool::calculator()]);

    // The whole loop in one call.
    let run = client
        .serverless()
        .tool_assisted_chat()
        .run(request.clone(), &tools)
        .max_turns(4)
        .await?;
    println!(
        "answer after {} turn(s): {}",
        run.turns,
        run.result.content().unwrap_or_default()
    );
    for call in &run.calls {
        println!(
            "  ran {}({}) -> {}",
            call.call.function.name, call.call.function.arguments, call.output
        );
    }

    // The same loop, step by step.
    let mut events = client
        .serverless()
        .tool_assisted_chat()
        .run(request, &tools)
        .into_stream();
    while let Some(event) = events.next().await {
        match event? {
            RunEvent::LocalCallStarted { turn, call } => {
                println!("[turn {turn}] calling {}", call.function.name)
            }
            RunEvent::LocalCallFinished {
                name,
                output,
                duration,
                ..
            } => {
                println!("[local] {name} returned {output} in {duration:?}")
            }
            RunEvent::TurnFinished { turn, result } => {
                println!(
                    "[turn {turn}] finished: {}",
                    result
                        .finish_reason()
                        .map(|r| r.wire_name())
                        .unwrap_or_default()
                )
            }
            RunEvent::Finished(run) => {
                println!("done: {}", run.result.content().unwrap_or_default())
            }
            _ => {}
        }
    }
    Ok(())
}
