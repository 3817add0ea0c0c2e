use friendli::prelude::*;

#[tokio::main]
async fn main() -> Result<(), friendli::Error> {
    let client = Client::from_env()?;
    let request = ChatRequest::builder()
        .model("meta-llama-3.1-8b-instruct")
        .messages(vec![Message::user("Hi")]);
    let answer = client.serverless().chat().complete(request).await?;
    println!("{:?}", answer.content());
    Ok(())
}
