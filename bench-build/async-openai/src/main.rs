use async_openai::{Client, config::OpenAIConfig, types::chat::{CreateChatCompletionRequestArgs, ChatCompletionRequestUserMessage}};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = OpenAIConfig::new()
        .with_api_base("https://api.friendli.ai/serverless/v1")
        .with_api_key(std::env::var("FRIENDLI_TOKEN")?);
    let client = Client::with_config(config);
    let request = CreateChatCompletionRequestArgs::default()
        .model("meta-llama-3.1-8b-instruct")
        .messages([ChatCompletionRequestUserMessage::from("Hi").into()])
        .build()?;
    let answer = client.chat().create(request).await?;
    println!("{:?}", answer.choices[0].message.content);
    Ok(())
}
