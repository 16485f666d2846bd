"""Local fake gateways of Alipay and WeChat Pay: real HTTP on 127.0.0.1, the real signed
protocols (RSA2 both ways; APIv3 signatures, AEAD notifications, platform certificates),
with configurable latency, a requests-per-second limit, injected failures, and
notifications that tests deliver twice and out of order. The adapters' tests and the
debit-run benchmark run against them; nothing reaches the network."""
