#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("FRIENDLI_TOKEN")?;
    let body = serde_json::json!({"model": "meta-llama-3.1-8b-instruct", "messages": [{"role": "user", "content": "Hi"}]});
    let answer: serde_json::Value = reqwest::Client::new()
        .post("https://api.friendli.ai/serverless/v1/chat/completions")
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?
        .json()
        .await?;
    println!("{}", answer["choices"][0]["message"]["content"]);
    Ok(())
}
