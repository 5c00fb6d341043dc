#ifndef AST_CALSA_SHIM_H
#define AST_CALSA_SHIM_H
#include <alsa/asoundlib.h>

/* ALSA prints its own errors to standard error ("ALSA lib pcm.c:2666: Unknown PCM")
   through a variadic handler; the project says what went wrong itself, once. */
static void ast_alsa_silent_handler(const char *file, int line, const char *function, int err,
                                    const char *format, ...) {
  (void)file; (void)line; (void)function; (void)err; (void)format;
}

static inline void ast_alsa_quiet(void) { snd_lib_error_set_handler(ast_alsa_silent_handler); }

/* What a device agreed to. */
typedef struct {
  unsigned int rate;
  unsigned int channels;
  int is_float;                 /* 1: 32-bit float samples; 0: 16-bit integers */
  unsigned long period_frames;
  unsigned long buffer_frames;
} ast_pcm_config;

/* Opens a PCM for playback (capture 0) or capture (capture 1), interleaved, at the rate and
   channels asked for (resampled by ALSA's plug layer where the name has one), 32-bit float
   where the device takes it, else 16-bit, with a period and a buffer of `periods` periods as
   near as the device allows. Returns 0, or a negative error code with *step naming what was
   refused. */
static inline int ast_pcm_open(snd_pcm_t **pcm, const char *name, int capture, unsigned int rate,
                               unsigned int channels, unsigned long period, unsigned int periods,
                               ast_pcm_config *config, const char **step) {
  *step = "open";
  int error = snd_pcm_open(pcm, name, capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK,
                           0);
  if (error < 0) return error;
  snd_pcm_hw_params_t *hw = NULL;
  snd_pcm_sw_params_t *sw = NULL;
  if ((error = snd_pcm_hw_params_malloc(&hw)) < 0) goto fail;
  *step = "configuration";
  if ((error = snd_pcm_hw_params_any(*pcm, hw)) < 0) goto fail;
  *step = "interleaved access";
  if ((error = snd_pcm_hw_params_set_access(*pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0)
    goto fail;
  *step = "sample format";
  config->is_float = 1;
  if (snd_pcm_hw_params_set_format(*pcm, hw, SND_PCM_FORMAT_FLOAT_LE) < 0) {
    config->is_float = 0;
    if ((error = snd_pcm_hw_params_set_format(*pcm, hw, SND_PCM_FORMAT_S16_LE)) < 0) goto fail;
  }
  *step = "channels";
  if ((error = snd_pcm_hw_params_set_channels(*pcm, hw, channels)) < 0) goto fail;
  *step = "sample rate";
  snd_pcm_hw_params_set_rate_resample(*pcm, hw, 1);
  unsigned int actual_rate = rate;
  if ((error = snd_pcm_hw_params_set_rate_near(*pcm, hw, &actual_rate, NULL)) < 0) goto fail;
  *step = "period";
  snd_pcm_uframes_t period_frames = period;
  if ((error = snd_pcm_hw_params_set_period_size_near(*pcm, hw, &period_frames, NULL)) < 0)
    goto fail;
  *step = "buffer";
  snd_pcm_uframes_t buffer_frames = period_frames * periods;
  if ((error = snd_pcm_hw_params_set_buffer_size_near(*pcm, hw, &buffer_frames)) < 0) goto fail;
  *step = "configuration";
  if ((error = snd_pcm_hw_params(*pcm, hw)) < 0) goto fail;
  snd_pcm_hw_params_get_period_size(hw, &period_frames, NULL);
  snd_pcm_hw_params_get_buffer_size(hw, &buffer_frames);
  snd_pcm_hw_params_get_rate(hw, &actual_rate, NULL);
  config->rate = actual_rate;
  config->channels = channels;
  config->period_frames = period_frames;
  config->buffer_frames = buffer_frames;
  /* Playback starts once the buffer is full, so the first periods do not underrun; a
     signal shorter than the buffer is started by the drain at its end. */
  if ((error = snd_pcm_sw_params_malloc(&sw)) < 0) goto fail;
  *step = "software configuration";
  if ((error = snd_pcm_sw_params_current(*pcm, sw)) < 0) goto fail;
  snd_pcm_sw_params_set_avail_min(*pcm, sw, period_frames);
  if (!capture) snd_pcm_sw_params_set_start_threshold(*pcm, sw, buffer_frames);
  if ((error = snd_pcm_sw_params(*pcm, sw)) < 0) goto fail;
  snd_pcm_hw_params_free(hw);
  snd_pcm_sw_params_free(sw);
  *step = NULL;
  return 0;
fail:
  if (hw) snd_pcm_hw_params_free(hw);
  if (sw) snd_pcm_sw_params_free(sw);
  snd_pcm_close(*pcm);
  *pcm = NULL;
  return error;
}

#endif
