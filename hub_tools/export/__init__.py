"""Exports of a trained model for other runtimes: GGUF files for llama.cpp, Ollama and LM Studio."""
