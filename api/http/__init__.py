"""The HTTP service (FastAPI on uvicorn): the app factory (`app`), token auth (`tokens`), body
limits (`limits`), metrics (`metrics`) and the analyst page (`page`)."""
