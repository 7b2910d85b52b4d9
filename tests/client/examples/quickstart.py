import trackd

# TRACKD_TRACKING_URI, or trackd.set_tracking_uri("grpc://tracking.example.com:50051")
trackd.set_experiment("quickstart")  # created if missing

with trackd.start_run(run_name="baseline") as run:  # ends FINISHED, or FAILED on an exception
    trackd.log_params({"optimizer": "adam", "lr": 0.01})
    for epoch in range(1, 4):
        trackd.log_metric("loss", 1.0 / epoch, step=epoch)
    trackd.set_tag("language", "python")

client = trackd.TrackingClient()
finished = client.get_run(run.info.run_id)
history = client.get_metric_history(run.info.run_id, "loss")
print(finished.info.status, finished.data.params["lr"], len(history), "loss points")
