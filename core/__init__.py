"""Domain constants, configuration and the Russian label map shared by every layer."""
