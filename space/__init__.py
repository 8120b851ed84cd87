"""The Gaokerena Gradio Space: streaming Persian chat and the benchmark leaderboard."""
