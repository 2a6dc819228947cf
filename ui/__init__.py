"""The web app: staff chat and the admin console.

Set before any module here imports gradio: no usage analytics, no run history (it offers a cloud bucket).
"""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("GRADIO_RUN_HISTORY", "False")
