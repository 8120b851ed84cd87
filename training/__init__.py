"""Gaokerena training: the two-stage LoRA recipe (continued pretraining, instruction tuning) and adapter merging."""
